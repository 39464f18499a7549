/**
 * Fleet fixtures: a folder of servers, each an applicationHost.config copied from our own sample,
 * with the shop application's session element written by hand (not by the project's editor),
 * and an inventory file describing them.
 */
import * as fs from "fs";
import * as path from "path";
import { OWN_FIXTURE } from "../support/hostFixture";
import { scratchDir } from "../support/scratch";

export const SHOP = "Default Web Site/shop";

/** `session` attributes as they would appear in the file; undefined: no <location> for the shop at all. */
export type ShopSession = Record<string, string> | undefined;

export function writeServerFile(file: string, session: ShopSession): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let text = fs.readFileSync(OWN_FIXTURE, "utf8");
    if (session !== undefined) {
        const attributes = Object.entries(session).map(([name, value]) => ` ${name}="${value}"`).join("");
        const eol = text.includes("\r\n") ? "\r\n" : "\n";
        const element = [`    <location path="${SHOP}">`, "        <system.webServer>", "            <asp>", `                <session${attributes} />`,
            "            </asp>", "        </system.webServer>", "    </location>", ""].join(eol);
        text = text.replace("</configuration>", `${element}</configuration>`);
    }
    fs.writeFileSync(file, text);
}

/**
 * A scratch folder holding `<name>/Windows/System32/inetsrv/config/applicationHost.config` per
 * server: laid out as %windir% (test/support/windowsFolder.ts), so a WS-Man test server's real
 * PowerShell can stand for the server too.
 */
export function fleetFolder(servers: Record<string, ShopSession>): { dir: string; files: Record<string, string> } {
    const dir = scratchDir("asp-fleet-");
    const files: Record<string, string> = {};
    for (const [name, session] of Object.entries(servers)) {
        files[name] = path.join(dir, name, "Windows", "System32", "inetsrv", "config", "applicationHost.config");
        writeServerFile(files[name], session);
    }
    return { dir, files };
}

/**
 * The bytes of every applicationHost.config and anything beside it named after it (backups,
 * locks, temp files), to show later that nothing was written. (PowerShell's Microsoft.Web.
 * Administration double installs itself elsewhere in the scratch %windir%: not a server write.)
 */
export function snapshot(dir: string): Map<string, Buffer> {
    const result = new Map<string, Buffer>();
    const walk = (folder: string) => {
        for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
            const full = path.join(folder, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (/applicationHost\.config/i.test(entry.name)) result.set(full, fs.readFileSync(full));
        }
    };
    walk(dir);
    return result;
}
