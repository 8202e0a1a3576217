/** Packet time in nanoseconds since the Unix epoch. The only clock that state logic may read. */
export type TimestampNs = bigint;

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
