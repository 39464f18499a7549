import { winrmRunner } from "../../../provider/open";
import { MiniWinrmServer } from "./miniServer";

/**
 * Run as a child process by pool.test.ts: runs one command through a pooled runner against an
 * in-process server, then just lets the process end. The pool's beforeExit hook must delete the
 * shell, and the idle connection must not keep the process alive. Prints what the server saw.
 */
async function main(): Promise<void> {
    const server = await MiniWinrmServer.start({ auth: "ntlm", account: { username: "deploy", password: "pw" } });
    server.unref();
    process.on("exit", () => {
        process.stdout.write(JSON.stringify({ deletes: server.requests("Delete").length, signals: server.requests("Signal").length, shells: server.shells.size }) + "\n");
    });
    const runner = winrmRunner({ kind: "winrm", ...server.address, username: "deploy", password: "pw" });
    await runner.run({ command: "cmd.exe", arguments: ["/c", "ver"] });
    await runner.close();
}

main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
});
