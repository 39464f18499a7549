/**
 * Manages ASP session settings on a sample applicationHost.config kept beside this program: a
 * local target, no server needed. Point `applicationHostPath` (pulumi config) at another file,
 * or swap the target for a remote one, and the same program manages a real server.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { AspSessionSettings } from "pulumi-iis-asp-session";

const config = new pulumi.Config();
const applicationHostPath = path.resolve(config.get("applicationHostPath") ?? path.join(__dirname, "applicationHost.config"));
const target = { kind: "file" as const, path: applicationHostPath };

/** Server-wide: sessions expire after 30 minutes and their cookies are sent over HTTPS only. */
const server = new AspSessionSettings("server", {
    target,
    location: "",
    keepSessionIdSecure: true,
    timeout: "00:30:00",
});

/** The shop application: shorter sessions, and at most 1000 of them. */
const shop = new AspSessionSettings("shop", {
    target,
    location: "Default Web Site/shop",
    max: 1000,
    timeout: "00:10:00",
});

/** The intranet site keeps no session state at all. */
const intranet = new AspSessionSettings("intranet", {
    target,
    location: "Intranet",
    allowSessionState: false,
});

export const serverTimeout = server.effective.apply((values) => values.timeout);
export const shopEffective = shop.effective;
export const intranetSessions = intranet.effective.apply((values) => values.allowSessionState);
