import NIOCore

/// Sits in the listening channel's pipeline and remembers every accepted connection,
/// so that shutdown can let running scrapes finish: it stops accepting, asks each
/// connection to close once its current response is written (idle keep-alive
/// connections close at once), and closes whatever is left when the grace period ends.
final class ConnectionTracker: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private var connections: [ObjectIdentifier: any Channel] = [:]
    private var isDraining = false
    private var drained: EventLoopPromise<Void>?
    private var isDrained = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        guard !isDraining else {
            connection.close(promise: nil)
            return
        }
        let id = ObjectIdentifier(connection)
        connections[id] = connection
        connection.closeFuture.hop(to: context.eventLoop).assumeIsolated().whenComplete { _ in
            self.connectionClosed(id)
        }
        context.fireChannelRead(data)
    }

    /// Stops accepting on `listener` and drains the connections; the future completes
    /// when every connection is closed. Must be called on the listener's event loop.
    func drain(listener: any Channel, gracePeriod: TimeAmount) -> EventLoopFuture<Void> {
        let eventLoop = listener.eventLoop
        if let drained { return drained.futureResult }
        let promise = eventLoop.makePromise(of: Void.self)
        drained = promise
        isDraining = true
        listener.close(promise: nil)
        for connection in connections.values {
            connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let deadline = eventLoop.assumeIsolated().scheduleTask(in: gracePeriod) {
            for connection in self.connections.values { connection.close(promise: nil) }
        }
        promise.futureResult.assumeIsolated().whenComplete { _ in deadline.cancel() }
        completeIfDrained()
        return promise.futureResult
    }

    private func connectionClosed(_ id: ObjectIdentifier) {
        connections.removeValue(forKey: id)
        completeIfDrained()
    }

    private func completeIfDrained() {
        guard isDraining, !isDrained, connections.isEmpty, let drained else { return }
        isDrained = true
        drained.succeed(())
    }
}
