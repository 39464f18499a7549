/**
 * Sets ASP session settings on a Windows server over SSH with @pulumi/command's remote.Command,
 * running this package's scripts (no dynamic provider). Copy this folder to start your own
 * program. Configure it with:
 *   pulumi config set host web01.corp.example
 *   pulumi config set user deploy
 *   pulumi config set --secret privateKey -- "$(cat ~/.ssh/id_ed25519)"
 *   pulumi config set hostKey "ssh-ed25519 AAAA..."         # the server's public host key
 *   pulumi config set location 'Default Web Site/shop'     # optional
 *
 * The server must run Windows OpenSSH with its default shell (cmd.exe). remote.Command re-runs
 * `update` when the settings change and `delete` on destroy (the attributes are removed, so the
 * location inherits again); it does not see changes made on the server by hand: for drift
 * detection and restoring earlier values, use AspSessionSettings with a "ssh" target.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { renderSessionCommands } from "pulumi-iis-asp-session";

const config = new pulumi.Config();
const commands = renderSessionCommands({
    location: config.get("location") ?? "Default Web Site/shop",
    keepSessionIdSecure: true,
    max: 1000,
    timeout: "00:10:00",
});

const session = new command.remote.Command("shop-session", {
    connection: {
        host: config.require("host"),
        port: config.getNumber("port") ?? 22,
        user: config.require("user"),
        privateKey: config.requireSecret("privateKey"),
        // Without it @pulumi/command accepts any host key: a server in the middle would get the commands.
        hostKey: config.require("hostKey"),
    },
    create: commands.create,
    update: commands.update,
    delete: commands.delete,
});

/** The script's result line: {"ok":true,...,"effective":{...}}. */
export const result = session.stdout;
