/** The decode stage: link, IP and TCP headers of captured frames. */
export * from './decoded';
export { decodeFrame } from './decode-frame';
export { connKey, endpointKey } from './flow-key';
export {
  LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP, LINKTYPE_NULL, LINKTYPE_RAW, LINKTYPE_RAW_12, LINKTYPE_RAW_14,
} from './link-layer';
