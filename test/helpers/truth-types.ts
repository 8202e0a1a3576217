/**
 * The ground-truth JSON schema of /work/shared/captures/README.md ("Ground-truth JSON schema",
 * schema_version 1), as far as ftpflow's tests read it, plus ftpflow's own extensions:
 *  - `ftpflow_options`: CLI options the case needs (e.g. ["--control-ports", "21,2121"]);
 *  - `data_connections[].expect`: extra comment keys every frame of that data connection must carry;
 *  - `control_expect`: comment keys that packets of a control connection must carry.
 */

export interface TruthEndpoint { ip: string; port: number }

export interface TruthControlRef {
  id?: string;
  tcp_stream?: number;
  client: TruthEndpoint;
  server: TruthEndpoint;
}

export interface TruthDataConnection {
  id: string;
  tcp_stream?: number;
  initiator?: TruthEndpoint;
  responder?: TruthEndpoint;
  initiated_by?: 'ftp-client' | 'ftp-server';
  initiator_observed_syn?: boolean;
  ftp_client_end?: TruthEndpoint;
  ftp_server_end?: TruthEndpoint;
  first_frame?: number;
  last_frame?: number;
  n_frames?: number;
  /** Every frame of the data TCP connection, 1-based. */
  frames: number[];
  control: TruthControlRef;
  mode: 'active' | 'passive';
  method: string;
  /** PORT/EPRT/LPRT request frame, or the frame completing the 227/229/228 reply. */
  setup_frame?: number | null;
  setup_request_frame?: number | null;
  setup_reply_frame?: number | null;
  setup_reply_code?: number | null;
  announced?: TruthEndpoint;
  announced_ip_equals_actual?: boolean;
  command?: string | null;
  command_arg?: string | null;
  command_frame?: number | null;
  /** ftpflow extension: comment keys (beyond the scored ones) with the value every frame must carry. */
  expect?: Record<string, string>;
}

export interface TruthControlSession {
  id: string;
  tcp_stream?: number;
  client: TruthEndpoint;
  server: TruthEndpoint;
  first_frame?: number;
  last_frame?: number;
  n_frames?: number;
  handshake_seen?: boolean;
  auth_tls_frame?: number | null;
}

/** ftpflow extension: keys packets of one control connection must carry. */
export interface TruthControlExpect {
  client: TruthEndpoint;
  server: TruthEndpoint;
  keys: Record<string, string>;
  /** When given, every one of these frames must carry the keys; otherwise at least one frame of the connection. */
  frames?: number[];
}

export interface TruthFile {
  schema_version?: number;
  capture: string;
  source?: Record<string, unknown>;
  capinfos?: Record<string, unknown>;
  exercises?: string[];
  notes?: string[];
  control_sessions?: TruthControlSession[];
  data_connections: TruthDataConnection[];
  undecodable_data_connections?: unknown[];
  announced_without_data_connection?: unknown[];
  totals: { packets: number; [key: string]: number };
  ftpflow_options?: string[];
  control_expect?: TruthControlExpect[];
  [key: string]: unknown;
}
