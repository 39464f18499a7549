/**
 * The system's GSSAPI (MIT krb5's libgssapi_krb5.so.2) through koffi: the C functions this client
 * calls and the memory they share with JavaScript. Loaded on first use, so a program that never
 * uses Kerberos never needs the library.
 *
 * Structures are laid out by hand in Buffers (LP64 only: size_t and pointers of 8 bytes), so
 * every pointer handed to C points into a Buffer this module keeps referenced for the call:
 *   gss_buffer_desc            { size_t length; void *value; }                          16 bytes
 *   gss_OID_desc               { OM_uint32 length; void *elements; }                    16 bytes
 *   gss_iov_buffer_desc        { OM_uint32 type; gss_buffer_desc buffer; }              24 bytes
 *   gss_channel_bindings_struct { OM_uint32 initiator_addrtype; gss_buffer_desc initiator_address;
 *                                 OM_uint32 acceptor_addrtype; gss_buffer_desc acceptor_address;
 *                                 gss_buffer_desc application_data; }                   64 bytes
 */
import type * as KoffiModule from "koffi";

export const LIBRARY_NAME = "libgssapi_krb5.so.2";
export const INSTALL_HINT = "install it with `apt-get install libgssapi-krb5-2` (Debian, Ubuntu) or `dnf install krb5-libs` (Fedora, RHEL)";

/** A C pointer as koffi hands it over (an External); null for GSS_C_NO_*. */
export type Pointer = unknown;

/** Every function returns the major status and writes the minor status into its first argument (a 4-byte Buffer). */
type GssCall = (...args: unknown[]) => number;
interface AsyncGssCall extends GssCall {
    async(...args: unknown[]): void;
}

export interface GssFunctions {
    readonly koffi: typeof KoffiModule;
    readonly importName: GssCall;
    readonly releaseName: GssCall;
    readonly acquireCred: AsyncGssCall;
    readonly acquireCredWithPassword: AsyncGssCall;
    readonly releaseCred: GssCall;
    readonly initSecContext: AsyncGssCall;
    readonly deleteSecContext: GssCall;
    readonly contextTime: GssCall;
    readonly wrapIovLength: GssCall;
    readonly wrapIov: GssCall;
    readonly unwrapIov: GssCall;
    readonly releaseBuffer: GssCall;
    readonly displayStatus: GssCall;
}

/** Why the library could not be loaded, with how to install it. */
export class GssapiUnavailableError extends Error {
    constructor(detail: string) {
        super(`Kerberos needs the system's GSSAPI library ${LIBRARY_NAME}, which could not be loaded (${detail}): ${INSTALL_HINT}`);
        this.name = "GssapiUnavailableError";
    }
}

// The loaded library: module state because a shared library is loaded once per process.
let loaded: GssFunctions | GssapiUnavailableError | undefined;

/** The GSSAPI functions, loading the library on first call; throws GssapiUnavailableError. */
export function gssFunctions(): GssFunctions {
    if (loaded === undefined) loaded = load(LIBRARY_NAME);
    if (loaded instanceof GssapiUnavailableError) throw loaded;
    return loaded;
}

/** For tests: load another file name (to see the error a missing library gives). */
export function loadGssFunctionsFrom(file: string): GssFunctions {
    const result = load(file);
    if (result instanceof GssapiUnavailableError) throw result;
    return result;
}

function load(file: string): GssFunctions | GssapiUnavailableError {
    let koffi: typeof KoffiModule;
    try {
        koffi = require("koffi") as typeof KoffiModule;
    } catch (error) {
        return new GssapiUnavailableError(`the npm package koffi is not installed: ${(error as Error).message}`);
    }
    if (koffi.sizeof("size_t") !== 8 || koffi.sizeof("void *") !== 8) {
        return new GssapiUnavailableError("only 64-bit platforms are supported");
    }
    try {
        // MIT's library looks up KDCs (getaddrinfo, NSS modules) on koffi's worker threads, whose
        // default 128 KiB stack is tighter than glibc's resolver is written for.
        koffi.config({ ...koffi.config(), async_stack_size: 1024 * 1024 });
    } catch {
        // Another part of the process already made koffi calls: its settings stay.
    }
    let library: KoffiModule.LibraryHandle;
    try {
        library = koffi.load(file);
    } catch (error) {
        return new GssapiUnavailableError((error as Error).message);
    }
    const fn = (prototype: string) => library.func(prototype) as unknown as AsyncGssCall;
    try {
        return {
            koffi,
            importName: fn("uint32_t gss_import_name(void *minor, void *name, void *nameType, void *outName)"),
            releaseName: fn("uint32_t gss_release_name(void *minor, void *name)"),
            acquireCred: fn(
                "uint32_t gss_acquire_cred(void *minor, void *name, uint32_t timeReq, void *mechs, int usage, void *outCred, void *actualMechs, void *timeRec)",
            ),
            acquireCredWithPassword: fn(
                "uint32_t gss_acquire_cred_with_password(void *minor, void *name, void *password, uint32_t timeReq, void *mechs, int usage, void *outCred, void *actualMechs, void *timeRec)",
            ),
            releaseCred: fn("uint32_t gss_release_cred(void *minor, void *cred)"),
            initSecContext: fn(
                "uint32_t gss_init_sec_context(void *minor, void *cred, void *context, void *target, void *mech, uint32_t flags, uint32_t timeReq, void *bindings, void *inputToken, void *actualMech, void *outputToken, void *retFlags, void *timeRec)",
            ),
            deleteSecContext: fn("uint32_t gss_delete_sec_context(void *minor, void *context, void *outputToken)"),
            contextTime: fn("uint32_t gss_context_time(void *minor, void *context, void *timeRec)"),
            wrapIovLength: fn("uint32_t gss_wrap_iov_length(void *minor, void *context, int conf, uint32_t qop, void *confState, void *iov, int count)"),
            wrapIov: fn("uint32_t gss_wrap_iov(void *minor, void *context, int conf, uint32_t qop, void *confState, void *iov, int count)"),
            unwrapIov: fn("uint32_t gss_unwrap_iov(void *minor, void *context, void *confState, void *qopState, void *iov, int count)"),
            releaseBuffer: fn("uint32_t gss_release_buffer(void *minor, void *buffer)"),
            displayStatus: fn(
                "uint32_t gss_display_status(void *minor, uint32_t status, int statusType, void *mech, void *messageContext, void *statusString)",
            ),
        };
    } catch (error) {
        return new GssapiUnavailableError(`a GSSAPI function is missing from ${file}: ${(error as Error).message}`);
    }
}

/** A gss_buffer_desc pointing at `bytes` (which the caller keeps referenced while C may read it). */
export function bufferDesc(koffi: typeof KoffiModule, bytes: Buffer | undefined): Buffer {
    const desc = Buffer.alloc(16);
    if (bytes !== undefined && bytes.length > 0) {
        desc.writeBigUInt64LE(BigInt(bytes.length), 0);
        desc.writeBigUInt64LE(koffi.address(bytes), 8);
    }
    return desc;
}

/** A gss_OID_desc for the DER contents of an OID (kept referenced by the returned pair). */
export function oidDesc(koffi: typeof KoffiModule, elements: Buffer): { desc: Buffer; elements: Buffer } {
    const desc = Buffer.alloc(16);
    desc.writeUInt32LE(elements.length, 0);
    desc.writeBigUInt64LE(koffi.address(elements), 8);
    return { desc, elements };
}

/** The pointer stored at `offset` of `holder` (an out parameter C filled in), or null. */
export function pointerAt(koffi: typeof KoffiModule, holder: Buffer, offset = 0): Pointer {
    if (holder.readBigUInt64LE(offset) === 0n) return null;
    return koffi.decode(holder, offset, "void *");
}

/** Copies the bytes a gss_buffer_desc filled in by GSSAPI points at, then releases them. */
export function takeBuffer(functions: GssFunctions, desc: Buffer): Buffer {
    const length = Number(desc.readBigUInt64LE(0));
    const value = pointerAt(functions.koffi, desc, 8);
    const copy = length === 0 || value === null ? Buffer.alloc(0) : Buffer.from(functions.koffi.view(value, length).slice(0));
    functions.releaseBuffer(Buffer.alloc(4), desc);
    return copy;
}

/** Runs an asynchronous koffi call (on a worker thread) and resolves with its major status. */
export function callAsync(call: AsyncGssCall, args: readonly unknown[]): Promise<number> {
    return new Promise((resolve, reject) => {
        call.async(...args, (error: unknown, major: number) => (error ? reject(error) : resolve(major)));
    });
}
