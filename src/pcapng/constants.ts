/**
 * pcapng block types and option codes (draft-ietf-opsawg-pcapng). Shared by the reader and the encoder;
 * `encode.ts` re-exports them.
 */

// Block types
export const BLOCK_SHB = 0x0a0d0d0a;     // Section Header Block: starts a section, fixes its byte order
export const BLOCK_IDB = 1;              // Interface Description Block: link type, snaplen, time resolution
export const BLOCK_OPB = 2;              // obsolete Packet Block: u16 interface, u16 drops, ts, caplen, len
export const BLOCK_SPB = 3;              // Simple Packet Block: interface 0, no timestamp
export const BLOCK_NRB = 4;              // Name Resolution Block: address → name records
export const BLOCK_ISB = 5;              // Interface Statistics Block: received/dropped counts
export const BLOCK_EPB = 6;              // Enhanced Packet Block: the packet block everyone writes
export const BLOCK_DSB = 0x0a;           // Decryption Secrets Block: TLS key log and the like
export const BLOCK_CB_COPY = 0x00000bad; // Custom Block that rewriters may copy
export const BLOCK_CB_NOCOPY = 0x40000bad; // Custom Block that rewriters must drop

/** The SHB byte-order magic, as written in the section's own order. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

// Options valid in every block
export const OPT_ENDOFOPT = 0;           // end of the option list
export const OPT_COMMENT = 1;            // UTF-8 comment; repeatable; Wireshark's frame.comment on an EPB
export const OPT_CUSTOM_STR = 2988;      // custom option, UTF-8 after a PEN, copyable
export const OPT_CUSTOM_BIN = 2989;      // custom option, binary after a PEN, copyable
export const OPT_CUSTOM_STR_NOCOPY = 19372; // custom option, UTF-8, dropped by rewriters
export const OPT_CUSTOM_BIN_NOCOPY = 19373; // custom option, binary, dropped by rewriters

// SHB options
export const SHB_HARDWARE = 2;           // UTF-8 hardware description
export const SHB_OS = 3;                 // UTF-8 operating system
export const SHB_USERAPPL = 4;           // UTF-8 name of the writing application

// IDB options
export const IF_NAME = 2;                // UTF-8 device name
export const IF_DESCRIPTION = 3;         // UTF-8 device description
export const IF_IPV4ADDR = 4;            // address + mask bytes (not a number)
export const IF_IPV6ADDR = 5;            // address + prefix bytes
export const IF_MACADDR = 6;             // 6 bytes
export const IF_EUIADDR = 7;             // 8 bytes
export const IF_SPEED = 8;               // u64 bits per second
export const IF_TSRESOL = 9;             // u8 time resolution (6 = µs default)
export const IF_TZONE = 10;              // u32, deprecated
export const IF_FILTER = 11;             // u8 filter type + filter text
export const IF_OS = 12;                 // UTF-8 operating system
export const IF_FCSLEN = 13;             // u8 FCS length
export const IF_TSOFFSET = 14;           // i64 seconds added to every timestamp
export const IF_HARDWARE = 15;           // UTF-8 hardware description
export const IF_TXSPEED = 16;            // u64 bits per second
export const IF_RXSPEED = 17;            // u64 bits per second
export const IF_IANA_TZNAME = 18;        // UTF-8 time-zone name

// EPB options (the obsolete OPB uses 2 and 3 with the same meaning)
export const EPB_FLAGS = 2;              // u32 direction / reception type / FCS length / errors
export const EPB_HASH = 3;               // u8 algorithm + hash bytes
export const EPB_DROPCOUNT = 4;          // u64 packets lost before this one
export const EPB_PACKETID = 5;           // u64 packet identifier
export const EPB_QUEUE = 6;              // u32 queue number
export const EPB_VERDICT = 7;            // u8 verdict type + verdict bytes
export const EPB_PROCESSID_THREADID = 8; // two u32: process id, thread id

// ISB options
export const ISB_STARTTIME = 2;          // timestamp as u32 high, u32 low
export const ISB_ENDTIME = 3;            // timestamp as u32 high, u32 low
export const ISB_IFRECV = 4;             // u64 packets received
export const ISB_IFDROP = 5;             // u64 packets dropped by the interface
export const ISB_FILTERACCEPT = 6;       // u64 packets accepted by the filter
export const ISB_OSDROP = 7;             // u64 packets dropped by the OS
export const ISB_USRDELIV = 8;           // u64 packets delivered to the user

// NRB records and options
export const NRB_RECORD_END = 0;         // ends the record list
export const NS_DNSNAME = 2;             // UTF-8 DNS server name
export const NS_DNSIP4ADDR = 3;          // 4 address bytes
export const NS_DNSIP6ADDR = 4;          // 16 address bytes

/** Largest value an option can carry: its length field is 16 bits. */
export const MAX_OPTION_VALUE = 0xffff;
