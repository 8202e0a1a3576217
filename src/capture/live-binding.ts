/**
 * The shape of ftpflow's patched `cap` binding (patches/cap+0.2.1.patch) and its lazy loader.
 * Only the live-capture path calls loadCapBinding(): device listing and file replay never load the
 * native module, so Wireshark's discovery calls stay fast and work where cap is not built.
 */

/** What open() reports about the activated device. */
export interface CapOpenInfo {
  /** cap's name for the link type ('ETHERNET', 'RAW', ...) or 'Unknown linktype N'. */
  linkType: string;
  /** libpcap's DLT_* value. */
  dlt: number;
  /** Whether libpcap delivers nanosecond stamps ('nano') or microsecond ones ('micro'). */
  tsPrecision: 'nano' | 'micro';
  snaplen: number;
  /** pcap_activate warnings (promiscuous mode unsupported, ...). */
  warnings: string[];
}

export interface CapOpenOptions {
  snaplen: number;
  bufferSize: number;
  immediate: boolean;
  timeoutMs: number;
  promisc?: boolean;
}

/** Errors thrown by open() carry which step failed and libpcap's PCAP_ERROR_* status. */
export interface CapError extends Error {
  stage?: 'create' | 'configure' | 'activate' | 'filter';
  pcapStatus?: number;
}

export interface CapHandle {
  open(device: string, filter: string, options: CapOpenOptions): CapOpenInfo;
  start(): void;
  stats(): { recv: number; drop: number; ifdrop: number };
  close(): boolean;
  on(event: 'batch', listener: (data: Buffer, meta: Buffer, count: number) => void): this;
  on(event: 'readError', listener: (message: string) => void): this;
}

export interface CapBinding {
  Cap: new () => CapHandle;
  checkFilter(filter: string, dlt: number, snaplen?: number): string | null;
  /** Present only in the patched build; its value is the patch version. */
  ftpflowPatch?: number;
  batchRecordBytes?: number;
}

/** The patch version this code reads batches for. */
export const EXPECTED_PATCH_VERSION = 1;
/** Bytes of per-packet metadata in a batch: [u64 tsNs][u32 offset][u32 caplen][u32 origLen][u32 0]. */
export const BATCH_RECORD_BYTES = 24;

export type BindingLoad = { kind: 'ok'; binding: CapBinding } | { kind: 'unavailable'; reason: string };

let cached: BindingLoad | undefined;

/** Loads cap once; a missing build or a stock (unpatched) build is a value, not an exception. */
export function loadCapBinding(): BindingLoad {
  if (cached) return cached;
  try {
    const binding = require('cap') as CapBinding;
    if (binding.ftpflowPatch !== EXPECTED_PATCH_VERSION || binding.batchRecordBytes !== BATCH_RECORD_BYTES) {
      cached = { kind: 'unavailable', reason: 'the cap module is not built with ftpflow\'s patch (run npm install)' };
    } else {
      cached = { kind: 'ok', binding };
    }
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    cached = { kind: 'unavailable', reason: `the cap module cannot be loaded (${why})` };
  }
  return cached;
}
