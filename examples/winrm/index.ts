/**
 * Manages ASP session settings on a Windows server over WinRM. Copy this folder to start your own
 * program (see README.md beside it). Every target option comes from `pulumi config`:
 *
 *   pulumi config set host web01.corp.example
 *   pulumi config set username 'CORP\deploy'
 *   pulumi config set --secret password '...'
 *   pulumi config set mode iis                  # default; or xml (this package's byte-preserving editor)
 *   pulumi config set https true                # optional: port 5986, TLS verified against caCertificate or the system's CAs
 *   pulumi config set caCertificate -- "$(cat ca.pem)"
 *
 * All keys: host, port, https, caCertificate, insecureSkipVerify, auth (ntlm | basic | certificate |
 * kerberos | negotiate), username, password (secret), clientCertificate, clientKey (secret), spn and
 * delegate (kerberos, negotiate; see docs/kerberos.md: without username and password they use the
 * ticket cache), mode (iis | xml), platform (windows | linux), configPath
 * (mode xml), timeoutSeconds, connectTimeoutSeconds, handshakeTimeoutSeconds; and for the settings: location, allowSessionState, keepSessionIdSecure,
 * max, timeout, onDelete (restore | inherit).
 */
import * as pulumi from "@pulumi/pulumi";
import { AspSessionSettings, WinrmTargetArgs } from "pulumi-iis-asp-session";

const config = new pulumi.Config();
const auth = (config.get("auth") ?? "ntlm") as "ntlm" | "basic" | "certificate" | "kerberos" | "negotiate";
const kerberos = auth === "kerberos" || auth === "negotiate";
const target: WinrmTargetArgs = {
    kind: "winrm",
    host: config.require("host"),
    port: config.getNumber("port"),
    https: config.getBoolean("https"),
    caCertificate: config.get("caCertificate"),
    insecureSkipVerify: config.getBoolean("insecureSkipVerify"),
    auth,
    // Kerberos may use the ticket cache instead (kinit): then neither is set.
    username: auth === "certificate" ? undefined : kerberos ? config.get("username") : config.require("username"),
    password: auth === "certificate" ? undefined : kerberos ? config.getSecret("password") : config.requireSecret("password"),
    clientCertificate: auth === "certificate" ? config.require("clientCertificate") : undefined,
    clientKey: auth === "certificate" ? config.requireSecret("clientKey") : undefined,
    spn: kerberos ? config.get("spn") : undefined,
    delegate: kerberos ? config.getBoolean("delegate") : undefined,
    mode: config.get("mode") as "iis" | "xml" | undefined,
    platform: config.get("platform") as "windows" | "linux" | undefined,
    configPath: config.get("configPath"),
    timeoutSeconds: config.getNumber("timeoutSeconds"),
    connectTimeoutSeconds: config.getNumber("connectTimeoutSeconds"),
    handshakeTimeoutSeconds: config.getNumber("handshakeTimeoutSeconds"),
};

const shop = new AspSessionSettings("shop", {
    target,
    location: config.get("location") ?? "Default Web Site/shop",
    allowSessionState: config.getBoolean("allowSessionState"),
    keepSessionIdSecure: config.getBoolean("keepSessionIdSecure") ?? true,
    max: config.getNumber("max") ?? 1000,
    timeout: config.get("timeout") ?? "00:10:00",
    onDelete: config.get("onDelete") as "restore" | "inherit" | undefined,
});

export const effective = shop.effective;
