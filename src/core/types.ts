/**
 * Packet time in nanoseconds since the Unix epoch, as a double (as Zeek keeps network time): no BigInt
 * per packet. At today's dates a double steps by 256 ns, far finer than any time-out it is compared
 * with, and rounding keeps order (a later packet never reads as earlier). The only clock that state
 * logic may read. Exact capture timestamps travel separately (the reader's ticks) to the output.
 */
export type TimestampNs = number;

/** 1-based frame number; equal to Wireshark's frame number in what we write. */
export type FrameNo = number;

/** One captured frame, as a capture source hands it to the pipeline. */
export interface RawFrame {
  /** 1-based position in the output. */
  frameNo: FrameNo;
  /** Packet time, ns since the epoch. */
  ts: TimestampNs;
  /** Link-layer header type (LINKTYPE_* value: 1 Ethernet, 113 SLL, ...). */
  linkType: number;
  /** Captured bytes. Stages may keep a reference only until the next frame: copy to keep. */
  data: Uint8Array;
  /** Length on the wire (>= data.length). */
  origLen: number;
}
