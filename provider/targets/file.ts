/** The "file" target: applicationHost.config on the machine that runs Pulumi, edited directly. */
import * as path from "path";
import { text, type TargetKind, type TargetValues } from "./declaration";

export const FILE_FIELDS = {
    /** Path of applicationHost.config; a relative path is taken from the Pulumi project's folder. Changing it replaces the resource. */
    path: text({ required: true, identity: true, identityForm: (value: string) => path.resolve(value) }),
};

export const FILE_KIND: TargetKind<"file", typeof FILE_FIELDS> = { kind: "file", fields: FILE_FIELDS, rules: [] };

export type FileTarget = TargetValues<"file", typeof FILE_FIELDS>;
