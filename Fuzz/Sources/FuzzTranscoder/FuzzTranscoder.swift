import CRemoteWriteProto
import FuzzSupport

@testable import RemoteWrite

/// The 2.0 → 1.0 transcoder, which reads a queued batch back from disk when the receiver
/// turns out to speak only 1.0. Input: a control byte, then the body. Control bit 0: the
/// body is an uncompressed io.prometheus.write.v2.Request that the harness compresses
/// (so that mutations reach the protobuf reading); otherwise it is the snappy block as
/// queued. What transcodes must be a snappy-compressed prometheus.WriteRequest with a
/// series for each 2.0 series, each with its labels and samples.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTranscoder(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    var input = FuzzInput(start, count)
    let compressInHarness = input.byte() & 1 != 0
    let body = input.rest()
    let queued: [UInt8]
    if compressInHarness {
        guard let compressed = try? Snappy.compress(body) else {
            fuzzCheck(false, "snappy cannot compress \(body.count) bytes")
            return 0
        }
        queued = compressed
    } else {
        queued = body
    }
    guard let transcoded = try? RequestTranscoder.v2ToV1(queued) else { return 0 }
    guard let v2Body = Snappy.uncompress(queued), let v1Body = Snappy.uncompress(transcoded) else {
        fuzzCheck(false, "the transcoder's output is not snappy")
        return 0
    }
    let v2 = v2Body.withUnsafeBufferPointer {
        io__prometheus__write__v2__request__unpack(nil, $0.count, $0.baseAddress)
    }
    let v1 = v1Body.withUnsafeBufferPointer { prometheus__write_request__unpack(nil, $0.count, $0.baseAddress) }
    defer {
        if let v2 { io__prometheus__write__v2__request__free_unpacked(v2, nil) }
        if let v1 { prometheus__write_request__free_unpacked(v1, nil) }
    }
    guard let v2, let v1 else {
        fuzzCheck(v1 != nil, "the transcoder's output is not a prometheus.WriteRequest")
        fuzzCheck(v2 != nil, "a request that does not decode was transcoded")
        return 0
    }
    fuzzCheck(v1.pointee.n_timeseries == v2.pointee.n_timeseries, "series count differs")
    for index in 0..<min(v1.pointee.n_timeseries, v2.pointee.n_timeseries) {
        let old = v2.pointee.timeseries[index]!.pointee
        let new = v1.pointee.timeseries[index]!.pointee
        fuzzCheck(new.n_labels * 2 == old.n_labels_refs, "series \(index): label count differs")
        fuzzCheck(new.n_samples == old.n_samples, "series \(index): sample count differs")
        for label in 0..<min(new.n_labels, old.n_labels_refs / 2) {
            let name = String(cString: new.labels[label]!.pointee.name)
            let symbol = String(cString: v2.pointee.symbols[Int(old.labels_refs[2 * label])]!)
            fuzzCheck(name == symbol, "series \(index) label \(label): \(name) for \(symbol)")
        }
    }
    return 0
}
