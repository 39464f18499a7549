/**
 * The fleet benchmark's WS-Management test servers, by default in a worker thread of their own.
 *
 * Real servers are other machines: their NTLM sealing, XML and HTTP work never queues behind the
 * engine's. In the bench process the engine stand-in and the Pulumi program share one event loop,
 * and 200 servers on that same loop made every step wait for server work (3.6 s of the bench
 * process's 9.9 s busy time in a profiled first rollout). A worker thread gives the servers their
 * own event loop; they still share the machine's CPUs with everything else, and the ideal is not
 * touched. `inProcess` keeps the old layout, to compare.
 */
import * as path from "path";
import { isMainThread, parentPort, Worker, workerData } from "worker_threads";
import { instantPowerShell } from "./instantPowerShell";
import { startWsmanServer, WsmanServer } from "../test/support/wsman";

export interface FleetServersOptions {
    count: number;
    latencyMs: number;
    user: { username: string; password: string };
    /** Where the servers' (unused) applicationHost.config path points. */
    workDir: string;
    /** True: the servers run on the bench's own event loop, as before the worker. */
    inProcess: boolean;
}

export interface FleetServers {
    /** Each server's loopback address and port, in order. */
    readonly endpoints: ReadonlyArray<{ host: string; port: number }>;
    /** HTTP requests all servers have answered so far. */
    requests(): Promise<number>;
    close(): Promise<void>;
}

/** Starts `count` servers, each on its own loopback address, so each is its own host to the provider. */
async function startServers(options: FleetServersOptions): Promise<WsmanServer[]> {
    const servers: WsmanServer[] = [];
    for (let i = 0; i < options.count; i++) {
        servers.push(await startWsmanServer({
            users: [options.user], applicationHostPath: path.join(options.workDir, "unused.config"), latencyMs: options.latencyMs,
            powershell: instantPowerShell(), address: `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`,
        }));
    }
    return servers;
}

function endpointsOf(servers: WsmanServer[]): Array<{ host: string; port: number }> {
    return servers.map((server) => ({ host: new URL(server.url).hostname, port: server.port }));
}

const requestsOf = (servers: WsmanServer[]) => servers.reduce((sum, server) => sum + server.stats.httpRequests, 0);

type Message = { kind: "requests" } | { kind: "close" };
type Reply = { kind: "started"; endpoints: Array<{ host: string; port: number }> } | { kind: "requests"; count: number } | { kind: "closed" } | { kind: "failed"; error: string };

export async function startFleetServers(options: FleetServersOptions): Promise<FleetServers> {
    if (options.inProcess) {
        const servers = await startServers(options);
        return {
            endpoints: endpointsOf(servers),
            requests: async () => requestsOf(servers),
            close: async () => { await Promise.all(servers.map((server) => server.close())); },
        };
    }
    const worker = new Worker(__filename, { workerData: { fleetServers: options } });
    // One question at a time: each waits for the worker's next reply.
    const next = () => new Promise<Reply>((resolve, reject) => {
        const onError = (error: Error) => { worker.off("message", onMessage); reject(error); };
        const onMessage = (reply: Reply) => { worker.off("error", onError); resolve(reply); };
        worker.once("message", onMessage);
        worker.once("error", onError);
    });
    const started = await next();
    if (started.kind !== "started") throw new Error(`the fleet's server worker did not start: ${started.kind === "failed" ? started.error : started.kind}`);
    const ask = async (message: Message): Promise<Reply> => {
        const reply = next();
        worker.postMessage(message);
        return reply;
    };
    return {
        endpoints: started.endpoints,
        requests: async () => {
            const reply = await ask({ kind: "requests" });
            return reply.kind === "requests" ? reply.count : NaN;
        },
        close: async () => {
            await ask({ kind: "close" });
            await worker.terminate();
        },
    };
}

/** The worker's side: start the servers, then answer the bench's questions. */
async function serveInWorker(options: FleetServersOptions): Promise<void> {
    const port = parentPort!;
    let servers: WsmanServer[];
    try {
        servers = await startServers(options);
    } catch (error) {
        port.postMessage({ kind: "failed", error: error instanceof Error ? error.stack ?? error.message : String(error) } satisfies Reply);
        return;
    }
    port.postMessage({ kind: "started", endpoints: endpointsOf(servers) } satisfies Reply);
    port.on("message", async (message: Message) => {
        if (message.kind === "requests") port.postMessage({ kind: "requests", count: requestsOf(servers) } satisfies Reply);
        else {
            await Promise.all(servers.map((server) => server.close()));
            port.postMessage({ kind: "closed" } satisfies Reply);
        }
    });
}

if (!isMainThread && workerData?.fleetServers) void serveInWorker(workerData.fleetServers as FleetServersOptions);
