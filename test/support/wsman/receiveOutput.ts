import { OutputStreamName } from "../../../provider/carriers/winrm/wsman";
import { OutputChunk } from "./responseBuilder";

/**
 * How a finished command's output is handed out over Receives: in rsp:Stream chunks of at most
 * `chunkBytes` (Windows sends output in pieces as the process writes it, so clients must
 * concatenate), and no more per response than the client's MaxEnvelopeSize allows; what is left
 * comes with the next Receive. Pure.
 */

/** Room kept for the envelope around the streams (header, CommandState, attributes of each Stream). */
const ENVELOPE_OVERHEAD = 2048;
/** Per rsp:Stream element beyond its base64 text (tag, Name, CommandId). */
const STREAM_OVERHEAD = 160;

/** Where a command's output delivery stands: bytes already sent per stream. */
export interface OutputCursor {
    readonly stdout: number;
    readonly stderr: number;
}

export interface OutputBatch {
    readonly chunks: readonly OutputChunk[];
    readonly cursor: OutputCursor;
    /** All wanted output has been sent: this response ends the streams and reports Done. */
    readonly complete: boolean;
}

/**
 * The next response's worth of output from `output`, starting at `cursor`. Streams the client did
 * not ask for are skipped. The final batch carries the empty End="true" markers Windows sends.
 */
export function nextOutputBatch(
    output: Readonly<Record<OutputStreamName, Buffer>>,
    cursor: OutputCursor,
    options: { readonly desiredStreams: readonly string[]; readonly chunkBytes: number; readonly maxEnvelopeSize: number },
): OutputBatch {
    const streams = (["stdout", "stderr"] as const).filter((name) => options.desiredStreams.length === 0 || options.desiredStreams.includes(name));
    let budget = Math.max(options.maxEnvelopeSize - ENVELOPE_OVERHEAD, 0);
    const chunks: OutputChunk[] = [];
    const position: Record<OutputStreamName, number> = { stdout: cursor.stdout, stderr: cursor.stderr };
    for (const name of streams) {
        const data = output[name];
        while (position[name] < data.length) {
            const roomBytes = Math.floor((budget - STREAM_OVERHEAD) / 4) * 3;
            // Always make progress, even with a silly small MaxEnvelopeSize.
            const size = Math.min(options.chunkBytes, data.length - position[name], chunks.length === 0 ? Math.max(roomBytes, 3) : roomBytes);
            if (size <= 0) break;
            chunks.push({ name, data: data.subarray(position[name], position[name] + size) });
            position[name] += size;
            budget -= STREAM_OVERHEAD + Math.ceil(size / 3) * 4;
        }
    }
    const complete = streams.every((name) => position[name] >= output[name].length);
    if (complete) for (const name of streams) chunks.push({ name, data: Buffer.alloc(0), end: true });
    return { chunks, cursor: position, complete };
}
