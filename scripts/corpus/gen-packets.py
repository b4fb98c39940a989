#!/usr/bin/env python3
"""gen-packets.py DIR: writes the corpus subset's test packets to DIR
(tests/corpus/packets/), one Ethernet frame per file, as
BPF_PROG_TEST_RUN takes them. tests/corpus/subset.txt says which program
runs on which and what it must return.

Each packet is the one a selftest (prog_tests/*.c) hands the program, or
one built to the program's parser, so that the run reaches the program's
interesting paths rather than its first bounds check:
  pkt_v4, pkt_v6   test_progs' own (network_helpers.c): TCP to 0.0.0.0:0 /
                   [::]:0, IP length 123 (MAGIC_BYTES), no checksums
  zero64           64 zero bytes: what test_loader.c runs __retval()
                   programs on (TEST_DATA_LEN)
  gue_*            cls_redirect's encapsulation (prog_tests/cls_redirect.c):
                   IPv4/UDP/GUE to 0.0.0.0:0 (the program's ENCAP_IP and
                   ENCAP_PORT, both 0 unless a loader sets them), an inner
                   IPv4 or IPv6 flow that no local socket owns
  syn_*, ack_*     valid IPv4/IPv6 TCP with correct checksums and DF, as
                   xdp_synproxy checks them before answering a SYN
  tcp_v4_8000      TCP to port 8000, the port test_tc_tunnel encapsulates
  udp_v4           a datagram the TCP-only programs let pass
Rerun after editing: python3 scripts/corpus/gen-packets.py tests/corpus/packets
"""
import os
import struct
import sys

ETH_P_IP, ETH_P_IPV6 = 0x0800, 0x86DD
IPPROTO_IPIP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_IPV6 = 4, 6, 17, 41
IP_DF = 0x4000
TCP_FIN, TCP_SYN, TCP_RST, TCP_ACK = 0x01, 0x02, 0x04, 0x10

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
V4_A, V4_B = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
LO_A, LO_B = bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])
V6_A = bytes.fromhex("fd000000000000000000000000000001")
V6_B = bytes.fromhex("fd000000000000000000000000000002")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(proto, dst=MAC_B, src=MAC_A):
    return dst + src + struct.pack("!H", proto)


def ipv4(proto, payload, src=V4_A, dst=V4_B, df=True, checksum=True, tot_len=None):
    length = 20 + len(payload) if tot_len is None else tot_len
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, length, 1, IP_DF if df else 0, 64, proto, 0,
                      src, dst)
    if checksum:
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(proto, payload, src=V6_A, dst=V6_B):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), proto, 64, src, dst) + payload


def tcp(sport, dport, flags, seq=1000, ack=0, pseudo=None):
    """pseudo: (src, dst) addresses for the checksum, None for none."""
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    if pseudo:
        src, dst = pseudo
        if len(src) == 4:
            ph = src + dst + struct.pack("!BBH", 0, IPPROTO_TCP, len(hdr))
        else:
            ph = src + dst + struct.pack("!I3xB", len(hdr), IPPROTO_TCP)
        hdr = hdr[:16] + struct.pack("!H", csum(ph + hdr)) + hdr[18:]
    return hdr


def udp(sport, dport, payload=b""):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def selftest_tcp():
    """The TCP header of pkt_v4/pkt_v6: doff 5 and urg_ptr 123, assigned
    without htons (test_pkt_access compares it so: bytes 7b 00 here)."""
    return struct.pack("!HHIIBBHH", 0, 0, 0, 0, 5 << 4, 0, 0, 0) + struct.pack("<H", 123)


def selftest_pkt_v4():
    """network_helpers.c's pkt_v4: all zero but these fields."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 123, 0, 0, 0, IPPROTO_TCP, 0, bytes(4), bytes(4))
    return bytes(12) + struct.pack("!H", ETH_P_IP) + ip + selftest_tcp()


def selftest_pkt_v6():
    ip = struct.pack("!IHBB16s16s", 0, 123, IPPROTO_TCP, 0, bytes(16), bytes(16))
    return bytes(12) + struct.pack("!H", ETH_P_IPV6) + ip + selftest_tcp()


def gue(inner_proto, inner, next_hops=()):
    """cls_redirect's encap_headers_t: GUE (hlen in 32-bit words: the GUE
    header and the hops) then unigue {version 0, hop_count}, then hops."""
    hops = b"".join(next_hops)
    gue_hdr = struct.pack("!BBH", 1 + len(next_hops), inner_proto, 0)
    unigue = struct.pack("!BBBB", 0, 0, 0, len(next_hops))
    outer_udp = udp(12345, 0, gue_hdr + unigue + hops + inner)
    return eth(ETH_P_IP) + ipv4(IPPROTO_UDP, outer_udp, src=V4_A, dst=bytes(4), df=False)


PACKETS = {
    "pkt_v4": selftest_pkt_v4,
    "pkt_v6": selftest_pkt_v6,
    "zero64": lambda: bytes(64),
    # an unknown TCP flow, SYN, no hops: accepted, decapsulated
    "gue_v4_tcp_syn": lambda: gue(IPPROTO_IPIP, ipv4(
        IPPROTO_TCP, tcp(40000, 1, TCP_SYN), src=LO_A, dst=LO_B, df=False, checksum=False)),
    # an unknown TCP flow past its SYN, one hop left: forwarded there
    "gue_v4_tcp_ack_hop": lambda: gue(IPPROTO_IPIP, ipv4(
        IPPROTO_TCP, tcp(40000, 1, TCP_ACK), src=LO_A, dst=LO_B, df=False, checksum=False),
        next_hops=[bytes([127, 0, 0, 2])]),
    # an IPv6 UDP flow, no hops: accepted, decapsulated
    "gue_v6_udp": lambda: gue(IPPROTO_IPV6, ipv6(
        IPPROTO_UDP, udp(40000, 1), src=bytes(15) + b"\x01", dst=bytes(15) + b"\x01")),
    "syn_v4_8080": lambda: eth(ETH_P_IP) + ipv4(
        IPPROTO_TCP, tcp(40000, 8080, TCP_SYN, pseudo=(V4_A, V4_B))),
    "syn_v6_8080": lambda: eth(ETH_P_IPV6) + ipv6(
        IPPROTO_TCP, tcp(40000, 8080, TCP_SYN, pseudo=(V6_A, V6_B))),
    "syn_v4_9090": lambda: eth(ETH_P_IP) + ipv4(
        IPPROTO_TCP, tcp(40000, 9090, TCP_SYN, pseudo=(V4_A, V4_B))),
    "ack_v4_8080": lambda: eth(ETH_P_IP) + ipv4(
        IPPROTO_TCP, tcp(40000, 8080, TCP_ACK, ack=12345, pseudo=(V4_A, V4_B))),
    "tcp_v4_8000": lambda: eth(ETH_P_IP) + ipv4(
        IPPROTO_TCP, tcp(40000, 8000, TCP_ACK, pseudo=(V4_A, V4_B))),
    "udp_v4": lambda: eth(ETH_P_IP) + ipv4(IPPROTO_UDP, udp(40000, 53, b"corpus")),
}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen-packets.py DIR")
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, build in sorted(PACKETS.items()):
        with open(os.path.join(sys.argv[1], name + ".bin"), "wb") as f:
            f.write(build())


if __name__ == "__main__":
    main()
