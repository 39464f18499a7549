/** The command's exit statuses; 64 and 65 are sysexits.h's EX_USAGE and EX_DATAERR. */
export const EXIT = {
    inSync: 0,
    error: 1,
    drift: 2,
    usage: 64,
    inventory: 65,
} as const;
