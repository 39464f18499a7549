/**
 * A program for the engine stand-in's own test: "first" (its file set by config), "second" that
 * depends on it, and "independent" that depends on nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { AspSessionSettings } from "../../../sdk";

const config = new pulumi.Config();
const first = new AspSessionSettings("first", { target: { kind: "file", path: config.require("firstFile") }, max: 1 });
new AspSessionSettings("second", { target: { kind: "file", path: config.require("secondFile") }, max: 2 }, { dependsOn: [first] });
new AspSessionSettings("independent", { target: { kind: "file", path: config.require("independentFile") }, max: 3 });
