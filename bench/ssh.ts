/**
 * `npm run bench:ssh`: a diff (XmlFileBackend.read) and an apply (XmlFileBackend.write changing
 * the timeout) in mode "xml" over SSH, beside the same operations over WinRM, warm (connection
 * reused) and cold (a new runner per operation), with the same latency added before everything
 * the server sends: for SSH a delaying TCP proxy in front of a real OpenSSH sshd on loopback
 * (test/support/ssh), for WinRM the WS-Management test server's own latency (test/support/wsman).
 * Both servers run the same scripts in the same PowerShell; the file is a temporary copy of a
 * real applicationHost.config.
 *
 * Also: the SSH transport alone, a command the cmd.exe stand-in answers without starting
 * PowerShell, warm and cold: what SSH itself costs per command.
 *
 * Options: --warm N (default 5), --cold N (default 3), --latency MS (default 20).
 */
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { RemoteConfigFile } from "../provider/stores/remoteConfigFile";
import { XmlFileBackend } from "../provider/backends/xmlFile";
import type { CommandRunner } from "../provider/carriers/commandRunner";
import { SshCommandRunner } from "../provider/carriers/ssh";
import { WinrmCommandRunner } from "../provider/carriers/winrm";
import { OWN_FIXTURE } from "../test/support/hostFixture";
import { sharedFile } from "../test/support/paths";
import { startSshServer, sshdUnavailable, type SshServer } from "../test/support/ssh/sshd";
import { TcpProxy } from "../test/support/ssh/tcpProxy";
import { scratchWindows } from "../test/support/windowsFolder";
import { startWsmanServer } from "../test/support/wsman";
import { summarise, type Timing } from "./stats";

interface Options {
    warm: number;
    cold: number;
    latencyMs: number;
}

const LOCATION = "Default Web Site";
const TIMEOUTS = ["00:10:00", "00:15:00"] as const;
const USER = { username: "BENCH\\operator", password: "bench-password" } as const;

function parseOptions(argv: readonly string[]): Options {
    const options: Options = { warm: 5, cold: 3, latencyMs: 20 };
    for (let i = 0; i < argv.length; i += 2) {
        const flag = argv[i], value = Number(argv[i + 1]);
        if (flag !== "--warm" && flag !== "--cold" && flag !== "--latency") throw new Error(`unknown option ${JSON.stringify(flag)}; use --warm N, --cold N or --latency MS`);
        const least = flag === "--latency" ? 0 : 1;
        if (!Number.isInteger(value) || value < least) throw new Error(`${flag} needs a whole number of at least ${least}, got ${JSON.stringify(argv[i + 1])}`);
        if (flag === "--warm") options.warm = value;
        else if (flag === "--cold") options.cold = value;
        else options.latencyMs = value;
    }
    return options;
}

interface Channel {
    name: "SSH" | "WinRM";
    open(): CommandRunner;
}

type Operation = "diff" | "apply";

async function time(work: () => Promise<unknown>): Promise<number> {
    const started = performance.now();
    await work();
    return performance.now() - started;
}

/** `count` operations; warm: one runner for all (after one untimed warm-up); cold: a new runner each. */
async function measureOperation(channel: Channel, file: string, operation: Operation, warm: boolean, count: number): Promise<Timing> {
    const samples: number[] = [];
    let toggle = 0;
    const run = (runner: CommandRunner) => {
        const backend = new XmlFileBackend(new RemoteConfigFile(runner, file));
        return operation === "diff" ? backend.read(LOCATION) : backend.write(LOCATION, { set: { timeout: TIMEOUTS[toggle++ % 2] }, restore: {}, remove: [] });
    };
    if (warm) {
        const runner = channel.open();
        await run(runner);
        for (let i = 0; i < count; i++) samples.push(await time(() => run(runner)));
        await runner.close();
    } else {
        for (let i = 0; i < count; i++) {
            const runner = channel.open();
            samples.push(await time(() => run(runner)));
            await runner.close();
        }
    }
    return summarise(samples);
}

async function measureTransport(open: () => SshCommandRunner, warm: boolean, count: number): Promise<Timing> {
    const command = { command: "ver.exe", arguments: [] };
    const samples: number[] = [];
    if (warm) {
        const runner = open();
        await runner.run(command);
        for (let i = 0; i < count; i++) samples.push(await time(() => runner.run(command)));
        await runner.close();
    } else {
        for (let i = 0; i < count; i++) {
            const runner = open();
            samples.push(await time(() => runner.run(command)));
            await runner.close();
        }
    }
    return summarise(samples);
}

const ms = (value: number) => `${value.toFixed(0).padStart(7)} ms`;

async function main(): Promise<void> {
    const options = parseOptions(process.argv.slice(2));
    const problem = sshdUnavailable();
    if (problem !== undefined) throw new Error(problem);
    const source = sharedFile("corpus", "applicationHost", "apphost_20.config") ?? OWN_FIXTURE;
    // Where both servers' PowerShell finds it: <windir>/System32/inetsrv/config.
    const { dir, windir, file } = scratchWindows(source);
    let server: SshServer | undefined;
    let proxy: TcpProxy | undefined;
    const wsman = await startWsmanServer({ users: [USER], applicationHostPath: file, latencyMs: options.latencyMs });
    try {
        server = await startSshServer();
        server.setWindir(windir);
        proxy = await TcpProxy.start(server.port, options.latencyMs);
        const ssh = server;
        const sshPort = proxy.port;
        const openSsh = () => new SshCommandRunner({ host: "127.0.0.1", port: sshPort, username: ssh.username, privateKey: ssh.privateKey, hostKey: ssh.hostKey });
        const channels: Channel[] = [
            { name: "SSH", open: openSsh },
            { name: "WinRM", open: () => new WinrmCommandRunner({ host: "127.0.0.1", port: wsman.port, https: false, auth: "ntlm", username: USER.username, password: USER.password }) },
        ];
        console.log(`mode "xml" on ${path.basename(source)} (${fs.statSync(file).size} bytes), ${options.latencyMs} ms added before everything the server sends; medians (min)`);
        console.log(`warm: ${options.warm} operations on one runner after a warm-up; cold: ${options.cold} operations, a new runner (connection, authentication) each\n`);
        const results: Record<string, Timing> = {};
        for (const operation of ["diff", "apply"] as const) {
            for (const warm of [true, false]) {
                for (const channel of channels) {
                    const timing = await measureOperation(channel, file, operation, warm, warm ? options.warm : options.cold);
                    results[`${channel.name} ${operation} ${warm ? "warm" : "cold"}`] = timing;
                    console.log(`${channel.name.padEnd(6)} ${operation.padEnd(6)} ${(warm ? "warm" : "cold").padEnd(5)} ${ms(timing.median)} (${timing.min.toFixed(0)})`);
                }
                const sshTime = results[`SSH ${operation} ${warm ? "warm" : "cold"}`].median;
                const winrmTime = results[`WinRM ${operation} ${warm ? "warm" : "cold"}`].median;
                console.log(`       ${operation.padEnd(6)} ${(warm ? "warm" : "cold").padEnd(5)} WinRM / SSH = ${(winrmTime / sshTime).toFixed(2)}x\n`);
            }
        }
        const transportWarm = await measureTransport(openSsh, true, options.warm * 2);
        const transportCold = await measureTransport(openSsh, false, options.cold * 2);
        console.log(`SSH transport alone (a command answered without PowerShell): warm ${ms(transportWarm.median)} (${transportWarm.min.toFixed(0)}), cold ${ms(transportCold.median)} (${transportCold.min.toFixed(0)}), cold / warm = ${(transportCold.median / transportWarm.median).toFixed(2)}x`);
        const diffWarm = results["SSH diff warm"].median;
        console.log(`share of a warm SSH diff spent in the transport: ${((100 * transportWarm.median) / diffWarm).toFixed(1)}% (the rest: starting PowerShell and running the script)`);
    } finally {
        await proxy?.close();
        await server?.stop();
        await wsman.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
});
