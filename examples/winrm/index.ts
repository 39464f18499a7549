/**
 * Manages ASP session settings on a Windows server over WinRM. Configure it with:
 *   pulumi config set host web01.corp.example
 *   pulumi config set username 'CORP\deploy'
 *   pulumi config set --secret password '...'
 *   pulumi config set mode iis            # or xml (this project's byte-preserving editor)
 *   pulumi config set https true          # optional; then also caCertificate (PEM) unless the CA is trusted
 *   pulumi config set configPath '\\fs01\iis\applicationHost.config'   # optional, mode xml only
 */
import * as pulumi from "@pulumi/pulumi";
import { AspSessionSettings } from "../../sdk";

const config = new pulumi.Config();
const https = config.getBoolean("https") ?? false;
const target = {
    kind: "winrm" as const,
    host: config.require("host"),
    port: config.getNumber("port"),
    https,
    caCertificate: config.get("caCertificate"),
    username: config.require("username"),
    password: config.requireSecret("password"),
    mode: (config.get("mode") ?? "iis") as "iis" | "xml",
    configPath: config.get("configPath"),
};

const shop = new AspSessionSettings("shop", {
    target,
    location: config.get("location") ?? "Default Web Site/shop",
    keepSessionIdSecure: true,
    max: 1000,
    timeout: "00:10:00",
});

export const effective = shop.effective;
