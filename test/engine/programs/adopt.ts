/**
 * A program for the engine stand-in's own test: one resource on the file set by config, with
 * Pulumi's `import` resource option when config `importId` is set.
 */
import * as pulumi from "@pulumi/pulumi";
import { AspSessionSettings } from "../../../sdk";

const config = new pulumi.Config();
const importId = config.get("importId");
new AspSessionSettings("shop", {
    target: { kind: "file", path: config.require("file") },
    location: "Default Web Site",
    timeout: "00:10:00",
    max: 25,
}, importId === undefined ? {} : { import: importId });
