/// ipvsadm outputs recorded in the lab (Linux 6.1 user-mode, ipvsadm 1.31), trimmed to one
/// namespace with one service of each kind. Trailing blanks on real-server lines are as
/// ipvsadm prints them.
enum IPVSAdmFixtures {
    static let list = """
        IP Virtual Server version 1.2.1 (size=4096)
        Prot LocalAddress:Port Scheduler Flags
          -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
        TCP  10.0.0.2:80 wlc persistent 300 mask 255.255.255.0
          -> 10.9.9.9:8080                Masq    5      1          6         
          -> 10.9.9.10:8080               Masq    0      0          0         
        TCP  10.0.0.6:8000 lc
          -> 10.1.0.5:8000                (null)  1      0          0         
          -> 10.9.9.9:8000                Local   4      0          0         
        TCP  10.0.0.8:80 mh (mh-port)
          -> 10.1.0.7:80                  Route   1      0          0         
        TCP  10.0.0.9:81 dh
        UDP  10.0.0.3:53 rr ops
          -> 10.9.9.9:5353                Masq    1      0          0         
        UDP  10.0.0.7:5060 rr persistent 60 pe sip
          -> 10.1.0.6:5060                Masq    1      0          0         
        TCP  [2001:db8::4]:443 sh (sh-fallback,sh-port) persistent 120 mask 64
          -> [fd00::1:3]:443              Tunnel  1      0          0         
        SCTP [2001:db8::3]:3868 rr
          -> [fd00::9]:3868               Masq    1      0          3         
        FWM  2 IPv6 rr persistent 600
          -> [fd00::1:1]:0                Tunnel  1      0          0         
        FWM  260 rr
          -> 10.255.0.2:8080              Masq    1      0          8         

        """

    static let stats = """
        IP Virtual Server version 1.2.1 (size=4096)
        Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
          -> RemoteAddress:Port
        TCP  10.0.0.2:80                         6       42       30     2598     8556
          -> 10.9.9.9:8080                       6       42       30     2598     8556
          -> 10.9.9.10:8080                      0        0        0        0        0
        TCP  10.0.0.6:8000                       0        0        0        0        0
          -> 10.1.0.5:8000                       0        0        0        0        0
          -> 10.9.9.9:8000                       0        0        0        0        0
        TCP  10.0.0.8:80                         0        0        0        0        0
          -> 10.1.0.7:80                         0        0        0        0        0
        TCP  10.0.0.9:81                         0        0        0        0        0
        UDP  10.0.0.3:53                        10       10        0     1160        0
          -> 10.9.9.9:5353                      10       10        0     1160        0
        UDP  10.0.0.7:5060                       0        0        0        0        0
          -> 10.1.0.6:5060                       0        0        0        0        0
        TCP  [2001:db8::4]:443                   0        0        0        0        0
          -> [fd00::1:3]:443                     0        0        0        0        0
        SCTP [2001:db8::3]:3868                  3       15        0     3492        0
          -> [fd00::9]:3868                      3       15        0     3492        0
        FWM  2 IPv6                              0        0        0        0        0
          -> [fd00::1:1]:0                       0        0        0        0        0
        FWM  260                                 9       58       41     3640 18446744073709551615
          -> 10.255.0.2:8080                     9       58       41     3640 18446744073709551615

        """

    static let rate = """
        IP Virtual Server version 1.2.1 (size=4096)
        Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
          -> RemoteAddress:Port
        TCP  10.0.0.2:80                         1        4        3      244      802
          -> 10.9.9.9:8080                       1        4        3      244      802
          -> 10.9.9.10:8080                      0        0        0        0        0
        TCP  10.0.0.6:8000                       0        0        0        0        0
          -> 10.1.0.5:8000                       0        0        0        0        0
          -> 10.9.9.9:8000                       0        0        0        0        0
        TCP  10.0.0.8:80                         0        0        0        0        0
          -> 10.1.0.7:80                         0        0        0        0        0
        TCP  10.0.0.9:81                         0        0        0        0        0
        UDP  10.0.0.3:53                         1        1        0      109        0
          -> 10.9.9.9:5353                       1        1        0      109        0
        UDP  10.0.0.7:5060                       0        0        0        0        0
          -> 10.1.0.6:5060                       0        0        0        0        0
        TCP  [2001:db8::4]:443                   0        0        0        0        0
          -> [fd00::1:3]:443                     0        0        0        0        0
        SCTP [2001:db8::3]:3868                  0        1        0      333        0
          -> [fd00::9]:3868                      0        1        0      333        0
        FWM  2 IPv6                              0        0        0        0        0
          -> [fd00::1:1]:0                       0        0        0        0        0
        FWM  260                                 1        5        4      331     1085
          -> 10.255.0.2:8080                     1        5        4      331     1085

        """

    static let thresholds = """
        IP Virtual Server version 1.2.1 (size=4096)
        Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn 
          -> RemoteAddress:Port
        TCP  10.0.0.2:80 wlc persistent 300 mask 255.255.255.0
          -> 10.9.9.9:8080                50         5          1          6         
          -> 10.9.9.10:8080               0          0          0          0         
        TCP  10.0.0.6:8000 lc
          -> 10.1.0.5:8000                0          0          0          0         
          -> 10.9.9.9:8000                0          0          0          0         
        TCP  10.0.0.8:80 mh (mh-port)
          -> 10.1.0.7:80                  0          0          0          0         
        TCP  10.0.0.9:81 dh
        UDP  10.0.0.3:53 rr ops
          -> 10.9.9.9:5353                0          0          0          0         
        UDP  10.0.0.7:5060 rr persistent 60 pe sip
          -> 10.1.0.6:5060                0          0          0          0         
        TCP  [2001:db8::4]:443 sh (sh-fallback,sh-port) persistent 120 mask 64
          -> [fd00::1:3]:443              10         2          0          0         
        SCTP [2001:db8::3]:3868 rr
          -> [fd00::9]:3868               0          0          0          3         
        FWM  2 IPv6 rr persistent 600
          -> [fd00::1:1]:0                0          0          0          0         
        FWM  260 rr
          -> 10.255.0.2:8080              0          0          0          8         

        """

    static let persistentConnections = """
        IP Virtual Server version 1.2.1 (size=4096)
        Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn 
          -> RemoteAddress:Port
        TCP  10.0.0.2:80 wlc persistent 300 mask 255.255.255.0
          -> 10.9.9.9:8080                5         1           1          6         
          -> 10.9.9.10:8080               0         0           0          0         
        TCP  10.0.0.6:8000 lc
          -> 10.1.0.5:8000                1         0           0          0         
          -> 10.9.9.9:8000                4         0           0          0         
        TCP  10.0.0.8:80 mh (mh-port)
          -> 10.1.0.7:80                  1         0           0          0         
        TCP  10.0.0.9:81 dh
        UDP  10.0.0.3:53 rr ops
          -> 10.9.9.9:5353                1         0           0          0         
        UDP  10.0.0.7:5060 rr persistent 60 pe sip
          -> 10.1.0.6:5060                1         0           0          0         
        TCP  [2001:db8::4]:443 sh (sh-fallback,sh-port) persistent 120 mask 64
          -> [fd00::1:3]:443              1         0           0          0         
        SCTP [2001:db8::3]:3868 rr
          -> [fd00::9]:3868               1         0           0          3         
        FWM  2 IPv6 rr persistent 600
          -> [fd00::1:1]:0                1         0           0          0         
        FWM  260 rr
          -> 10.255.0.2:8080              1         0           0          8         

        """

    static let mangle = """
        # Generated by iptables-save v1.8.9 on Sat Nov 21 09:59:37 2026
        *mangle
        :PREROUTING ACCEPT [62:4168]
        :INPUT ACCEPT [62:4168]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [47:12100]
        :POSTROUTING ACCEPT [47:12100]
        -A PREROUTING -p tcp -m tcp --dport 30000 -j MARK --set-xmark 0x104/0xffffffff
        -A PREROUTING -p udp -m udp --dport 30001 -j MARK --set-xmark 0x105/0xffffffff
        COMMIT
        # Completed on Sat Nov 21 09:59:37 2026

        """
}
