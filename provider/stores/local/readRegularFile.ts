import * as fs from "fs";
import { ConfigFileMissingError, MAX_CONFIG_BYTES } from "../configFile";
import { describeFsError, describeKind } from "./fsErrors";

/**
 * Reads a regular file whole. The file is opened without blocking (a FIFO would wait for a writer
 * forever) and checked before a byte is read: a device (/dev/zero) or FIFO is refused, and so is
 * a file larger than MAX_CONFIG_BYTES.
 */
export async function readRegularFile(file: string, label: string): Promise<Buffer> {
    let handle: fs.promises.FileHandle;
    try {
        handle = await fs.promises.open(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch (error) {
        if ((error as NodeJS.ErrnoException)?.code === "ENOENT") throw new ConfigFileMissingError(label, "cannot read: no such file or folder");
        throw new Error(`${label}: cannot read: ${describeFsError(error)}`);
    }
    try {
        const stats = await handle.stat();
        if (!stats.isFile()) throw new Error(`${label}: ${describeKind(stats)}, not a regular file; refusing to read it`);
        if (stats.size > MAX_CONFIG_BYTES) throw new Error(`${label}: ${stats.size} bytes, more than the ${MAX_CONFIG_BYTES} bytes (256 MiB) any applicationHost.config needs; refusing to read it`);
        const bytes = await handle.readFile();
        if (bytes.length > MAX_CONFIG_BYTES) throw new Error(`${label}: grew past ${MAX_CONFIG_BYTES} bytes (256 MiB) while it was read; refusing it`);
        return bytes;
    } finally {
        await handle.close();
    }
}
