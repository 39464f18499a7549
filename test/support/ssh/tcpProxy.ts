import * as net from "net";

/**
 * A TCP proxy on loopback between a client and a server, for tests and benchmarks: adds latency
 * (each chunk from the server is delayed by `latencyMs`, as the WS-Management test server delays
 * each response, so both transports pay the same per round trip), and can freeze: from then on
 * nothing is forwarded either way and nothing is closed, as with a server that stops answering
 * or a network path that goes dark.
 */
export class TcpProxy {
    latencyMs: number;
    frozen = false;
    connections = 0;
    private readonly sockets = new Set<net.Socket>();

    private constructor(private readonly server: net.Server, readonly port: number, latencyMs: number) {
        this.latencyMs = latencyMs;
    }

    static async start(targetPort: number, latencyMs = 0): Promise<TcpProxy> {
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port, latencyMs);
        server.on("connection", (client) => proxy.accept(client, targetPort));
        return proxy;
    }

    private accept(client: net.Socket, targetPort: number): void {
        this.connections++;
        const upstream = net.connect({ host: "127.0.0.1", port: targetPort });
        for (const socket of [client, upstream]) {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
            socket.on("error", () => undefined);
        }
        this.pipe(client, upstream, 0);
        this.pipe(upstream, client, this.latencyMs);
    }

    private pipe(from: net.Socket, to: net.Socket, delayMs: number): void {
        from.on("data", (chunk: Buffer) => {
            if (this.frozen) return;
            if (delayMs <= 0) to.write(chunk);
            else setTimeout(() => !this.frozen && !to.destroyed && to.write(chunk), delayMs);
        });
        from.on("end", () => {
            if (!this.frozen) setTimeout(() => to.end(), delayMs);
        });
        from.on("close", () => {
            if (!this.frozen) setTimeout(() => to.destroy(), delayMs);
        });
    }

    /** Drops every open connection. */
    dropAll(): void {
        for (const socket of this.sockets) socket.destroy();
    }

    async close(): Promise<void> {
        this.dropAll();
        await new Promise((resolve) => this.server.close(resolve));
    }
}
