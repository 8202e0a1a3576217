/**
 * Every counter ftpflow keeps, with what it means. The summary (stderr or --json) prints the
 * non-zero ones; README's "Counters" table is this file in prose. Names are stable: scripts read them.
 */
export const COUNTER_NAMES = {
  // input / output
  'input.frames': 'frames read from the input (or captured live)',
  'input.truncated_record': 'the file ended inside a record: every earlier frame was still written',
  'input.unknown_block': 'pcapng blocks of a type ftpflow does not know, copied through unchanged',
  'input.interface_missing': 'packet blocks naming an interface no IDB declared (written on a stub interface)',
  'output.frames': 'frames written',
  'output.comments_replaced': 'old ftpflow comments found in the input and replaced by fresh ones',

  // decode
  'decode.other_link': 'frames of a link type ftpflow does not decode (passed through)',
  'decode.not_ip': 'frames that carry neither IPv4 nor IPv6 (ARP, LLDP, ...)',
  'decode.not_tcp': 'IP packets that are not TCP (UDP, ICMP, ...)',
  'decode.bad_link': 'link-layer header shorter than it must be',
  'decode.bad_ip': 'IPv4/IPv6 header malformed or truncated',
  'decode.bad_tcp': 'TCP header malformed or truncated',
  'decode.ip_fragment': 'IP fragments (not reassembled; passed through)',
  'decode.truncated_payload': 'TCP segments whose captured payload is shorter than the IP length says',

  // flows (the connection table: control, data and detection candidates)
  'flow.created': 'connections ftpflow started tracking',
  'flow.evicted_idle': 'tracked connections dropped after their idle time-out (packet time)',
  'flow.evicted_closed': 'tracked connections dropped after FIN/RST and the linger time',
  'flow.evicted_cap': 'tracked connections dropped because the table was full (oldest first)',
  'flow.reused': 'a new SYN on a closed connection\'s address pair started a new connection',
  'flow.peak': 'most connections tracked at once',

  // reassembly (control streams only)
  'reassembly.retransmitted_bytes': 'control-stream bytes seen twice (retransmissions, overlaps)',
  'reassembly.out_of_order_segments': 'control segments that arrived ahead of a hole and were queued',
  'reassembly.gap_skipped': 'holes in a control stream given up on (peer ACKed them, queue cap or time-out)',
  'reassembly.gap_bytes': 'bytes lost in those holes',
  'reassembly.queue_full': 'times a direction\'s out-of-order queue hit its byte cap',
  'reassembly.peak_queued_bytes': 'most out-of-order bytes held at once, all streams together',

  // ftp control parsing
  'ftp.session.opened': 'control connections (sessions) seen',
  'ftp.session.detected': 'sessions recognised on a non-control port by greeting or commands (--detect-control)',
  'ftp.session.evicted_cap': 'sessions dropped because the session table was full',
  'ftp.line.too_long': 'control lines longer than the line cap (discarded up to the next LF)',
  'ftp.line.gap_discarded': 'partial control lines thrown away because a hole in the stream cut them',
  'ftp.command.bad': 'client lines that are not an FTP command',
  'ftp.command.pending_full': 'commands dropped from the pending-reply queue because it was full',
  'ftp.reply.bad': 'server lines that are not an FTP reply',
  'ftp.reply.unmatched': 'final replies with no command waiting for them',
  'ftp.setup.bad_port': 'PORT/EPRT/LPRT arguments that did not parse',
  'ftp.setup.bad_passive_reply': '227/228/229 replies whose address did not parse',
  'ftp.setup.refused': 'PORT/EPRT/PASV/EPSV commands the server refused (4xx/5xx)',
  'ftp.tls.started': 'sessions whose control channel went into TLS (AUTH TLS/SSL answered 234)',
  'ftp.tls.cleared': 'sessions that came back to clear text after CCC',
  'ftp.epsv_all': 'EPSV ALL commands seen',

  // expectations (announced data connections)
  'expect.created': 'data connections announced (PORT, EPRT, LPRT, 227, 228, 229)',
  'expect.replaced': 'announcements that replaced an unused one for the same listener',
  'expect.used': 'announcements a data connection matched',
  'expect.expired': 'announcements no connection used before the time-out (packet time)',
  'expect.evicted_session_cap': 'announcements dropped because their session had too many unused ones',
  'expect.evicted_cap': 'announcements dropped because the global table was full',

  // data connections
  'data.connections': 'data connections tied to a session',
  'data.mode.active': 'active-mode data connections (PORT, EPRT, LPRT)',
  'data.mode.passive': 'passive-mode data connections (PASV, EPSV, LPSV)',
  'data.method.PORT': 'data connections set up by PORT',
  'data.method.EPRT': 'data connections set up by EPRT',
  'data.method.LPRT': 'data connections set up by LPRT',
  'data.method.PASV': 'data connections set up by PASV',
  'data.method.EPSV': 'data connections set up by EPSV',
  'data.method.LPSV': 'data connections set up by LPSV',
  'data.nat': 'data connections that used the control peer\'s address instead of the announced one',
  'data.third_party': 'data connections with a host that is not the control peer (FXP, PORT bounce)',
  'data.no_command': 'data connections for which no transfer command was seen',
  'data.inferred': 'data connections tied by inference (no announcement seen)',
  'data.inference_dropped': 'one-direction setups no connection used within the inference window, or pushed out by the cap',
  'data.sidecar': 'data connections whose announcement came from the sidecar',

  // annotation / delay line
  'annotate.labels_cap': 'labels not remembered between the two passes because the label table was full',
  'annotate.late_update': 'a comment changed after its connection\'s first frame had left the delay line',
  'annotate.exact_rewrite': 'offline: because of such a change the output was rewritten in two exact passes',
  'delay.released_by_count': 'frames released early because the delay line hit its frame cap',
  'delay.released_by_bytes': 'frames released early because the delay line hit its byte cap (offline: bytes waiting behind gaps)',
  'delay.released_by_span': 'offline, two threads: frames released early because the writing thread could not get further behind the oldest gap',
  'rewrite.comment_ids_peak': 'offline, two threads: most comment texts shared with the writing thread at once (one per live connection)',


  // sidecar daemon (logged every minute and at exit)
  'sidecar.clients_accepted': 'sidecar: connections accepted on the socket',
  'sidecar.clients_refused_full': 'sidecar: connections refused because the client cap (64) was reached',
  'sidecar.clients_closed_version': 'sidecar: clients closed for speaking another protocol version',
  'sidecar.clients_closed_malformed': 'sidecar: clients closed for a frame that is not a valid message',
  'sidecar.clients_closed_too_large': 'sidecar: clients closed for a frame over the size limit',
  'sidecar.clients_closed_unexpected': 'sidecar: clients closed for a valid message at the wrong time',
  'sidecar.clients_closed_hello_timeout': 'sidecar: clients closed for not saying Hello in time',
  'sidecar.clients_closed_slow': 'sidecar: clients dropped because their send queue reached its cap (they reconnect and resync)',
  'sidecar.snapshots_sent': 'sidecar: snapshots sent',
  'sidecar.updates_sent': 'sidecar: update frames queued to clients',
  'sidecar.transfers_logged': 'sidecar: transfer-log records written',
  'sidecar.transfers_log_dropped': 'sidecar: transfer-log records dropped (file unwritable, or the disk too slow)',

  // pipeline
  'pipeline.internal_error': 'frames on which ftpflow hit a bug: written unannotated, stack in the log',
} as const;

export type CounterName = keyof typeof COUNTER_NAMES;
