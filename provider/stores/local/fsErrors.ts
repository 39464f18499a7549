/** File-system errors and kinds of file, in words for messages. */
import * as fs from "fs";

export function describeFsError(error: unknown): string {
    const code = (error as NodeJS.ErrnoException)?.code;
    switch (code) {
        case "ENOENT": return "no such file or folder";
        case "EACCES":
        case "EPERM": return "permission denied";
        case "EISDIR": return "is a folder, not a file";
        case "ELOOP": return "too many levels of symbolic links";
        case "ENOTDIR": return "a part of the path is not a folder";
        case "EROFS": return "read-only file system";
        case "ENOSPC": return "no space left on the device";
        default: return error instanceof Error ? error.message : String(error);
    }
}

/** What a file system object is, for "... not a regular file" messages. */
export function describeKind(stats: fs.Stats): string {
    if (stats.isDirectory()) return "is a folder";
    if (stats.isFIFO()) return "is a FIFO (named pipe)";
    if (stats.isCharacterDevice()) return "is a character device";
    if (stats.isBlockDevice()) return "is a block device";
    if (stats.isSocket()) return "is a socket";
    return "is not a file";
}
