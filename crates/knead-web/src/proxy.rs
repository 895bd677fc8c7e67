//! Who the client is when Knead runs behind a reverse proxy.
//!
//! Sign-in, sign-up and invitation attempts are counted per client address
//! ([`knead_app::attempts`]). Behind a proxy every connection comes from the
//! proxy, so without help all clients share one count and one guesser's
//! failures pause everyone. The operator names the proxies they run
//! (`--trusted-proxy`); only a connection from one of them may say, in one
//! header, which address it was serving. A header from anyone else is
//! ignored: a client could otherwise name a new address on every try.
//!
//! The header lists the hops, each proxy adding the address it saw. It is
//! read from the right, past the trusted proxies, to the first address that
//! is not one of them: what is left of that the client wrote itself. A hop
//! that cannot be read (`unknown`, an obfuscated name, a typo) stops the
//! walk at the proxy that wrote it, so clients behind it share its count:
//! the stricter way to be wrong.

use axum::http::{HeaderMap, HeaderName};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// The header a trusted proxy writes the client's address into. Only one is
/// read: a proxy that writes one passes the other on as the client sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1` (nginx, Caddy, Traefik, HAProxy).
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`.
    Forwarded,
}

impl ForwardedHeader {
    fn name(self) -> HeaderName {
        match self {
            ForwardedHeader::XForwardedFor => HeaderName::from_static("x-forwarded-for"),
            ForwardedHeader::Forwarded => HeaderName::from_static("forwarded"),
        }
    }
}

impl FromStr for ForwardedHeader {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Ok(ForwardedHeader::XForwardedFor),
            "forwarded" => Ok(ForwardedHeader::Forwarded),
            _ => Err(format!("`{text}` is not a header Knead reads; allowed: x-forwarded-for or forwarded")),
        }
    }
}

/// A proxy's address or network: `10.0.0.5`, `10.0.0.0/8`, `fd00::/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNetwork(IpNet);

impl FromStr for ProxyNetwork {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        text.parse::<IpNet>()
            .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
            .map(|net| ProxyNetwork(net.trunc()))
            .map_err(|_| {
                format!(
                    "`{text}` is not an address or network; allowed: e.g. 10.0.0.5, 10.0.0.0/8 or fd00::/8"
                )
            })
    }
}

/// The proxies whose word about the client is taken, and where they write
/// it. The default trusts nobody: every client is its connection's peer.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    networks: Vec<ProxyNetwork>,
    header: ForwardedHeader,
}

impl TrustedProxies {
    /// Trust `networks`, which write the client's address into `header`.
    pub fn new(networks: Vec<ProxyNetwork>, header: ForwardedHeader) -> Self {
        Self { networks, header }
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.networks.iter().any(|n| n.0.contains(&address))
    }

    /// The client of a request that came from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut hops = Vec::new();
        for value in headers.get_all(self.header.name()) {
            match value.to_str() {
                Ok(text) => hops.extend(text.split(',').map(|hop| match self.header {
                    ForwardedHeader::XForwardedFor => address(hop),
                    ForwardedHeader::Forwarded => forwarded_for(hop),
                })),
                Err(_) => hops.push(None),
            }
        }
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            let Some(hop) = hop else { break };
            client = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        client.to_canonical()
    }
}

/// One hop's address: `192.0.2.1`, `2001:db8::1`, or either with a port
/// (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| hop.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
}

/// The `for=` of one RFC 7239 element (`for="[2001:db8::1]:4711";proto=https`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        if key.trim().eq_ignore_ascii_case("for") { address(value.trim().trim_matches('"')) } else { None }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn proxies(networks: &[&str], header: ForwardedHeader) -> TrustedProxies {
        TrustedProxies::new(networks.iter().map(|n| n.parse().unwrap()).collect(), header)
    }

    fn headers(name: &str, values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_peer_that_is_not_a_trusted_proxy_is_the_client_whatever_it_says() {
        let xff = headers("x-forwarded-for", &["203.0.113.9"]);
        assert_eq!(TrustedProxies::default().client(ip("192.0.2.1"), &xff), ip("192.0.2.1"));
        let trusted = proxies(&["10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        assert_eq!(trusted.client(ip("192.0.2.1"), &xff), ip("192.0.2.1"));
    }

    #[test]
    fn the_client_is_the_first_hop_from_the_right_that_is_not_a_trusted_proxy() {
        let trusted = proxies(&["10.0.0.0/8", "127.0.0.1"], ForwardedHeader::XForwardedFor);
        // The client wrote the leftmost entry itself: it does not count.
        let chain = headers("x-forwarded-for", &["198.51.100.7, 203.0.113.9, 10.1.2.3"]);
        assert_eq!(trusted.client(ip("127.0.0.1"), &chain), ip("203.0.113.9"));
        // The same hops over two header lines.
        let lines = headers("x-forwarded-for", &["198.51.100.7", "203.0.113.9:4711", "10.1.2.3"]);
        assert_eq!(trusted.client(ip("127.0.0.1"), &lines), ip("203.0.113.9"));
        // Every hop a trusted proxy: the leftmost is the client.
        let inside = headers("x-forwarded-for", &["10.9.9.9, 10.1.2.3"]);
        assert_eq!(trusted.client(ip("127.0.0.1"), &inside), ip("10.9.9.9"));
        // No header: the proxy itself.
        assert_eq!(trusted.client(ip("10.1.2.3"), &HeaderMap::new()), ip("10.1.2.3"));
    }

    #[test]
    fn a_hop_that_cannot_be_read_stops_at_the_proxy_that_wrote_it() {
        let trusted = proxies(&["10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        for (garbled, client) in [
            ("203.0.113.9, unknown", "10.0.0.1"),
            ("203.0.113.9, ", "10.0.0.1"),
            ("203.0.113.9, not-an-address, 10.0.0.2", "10.0.0.2"),
        ] {
            let chain = headers("x-forwarded-for", &[garbled]);
            assert_eq!(trusted.client(ip("10.0.0.1"), &chain), ip(client), "{garbled}");
        }
    }

    #[test]
    fn only_the_configured_header_is_read() {
        let xff_proxy = proxies(&["10.0.0.1"], ForwardedHeader::XForwardedFor);
        let both = {
            let mut map = headers("x-forwarded-for", &["203.0.113.9"]);
            map.append("forwarded", HeaderValue::from_static("for=198.51.100.7"));
            map
        };
        assert_eq!(xff_proxy.client(ip("10.0.0.1"), &both), ip("203.0.113.9"));
        let rfc_proxy = proxies(&["10.0.0.1"], ForwardedHeader::Forwarded);
        assert_eq!(rfc_proxy.client(ip("10.0.0.1"), &both), ip("198.51.100.7"));
    }

    #[test]
    fn forwarded_elements_are_read_with_quotes_ports_and_other_parameters() {
        let trusted = proxies(&["10.0.0.0/8"], ForwardedHeader::Forwarded);
        let chain = headers(
            "forwarded",
            &["for=198.51.100.7;proto=http, For=\"[2001:db8:cafe::17]:4711\";by=10.0.0.9", "for=10.2.2.2"],
        );
        assert_eq!(trusted.client(ip("10.0.0.1"), &chain), ip("2001:db8:cafe::17"));
        let hidden = headers("forwarded", &["for=198.51.100.7, for=_hidden"]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &hidden), ip("10.0.0.1"));
    }

    #[test]
    fn ipv4_mapped_addresses_are_the_ipv4_address() {
        let trusted = proxies(&["127.0.0.1"], ForwardedHeader::XForwardedFor);
        let chain = headers("x-forwarded-for", &["::ffff:203.0.113.9"]);
        assert_eq!(trusted.client(ip("::ffff:127.0.0.1"), &chain), ip("203.0.113.9"));
    }

    #[test]
    fn networks_and_headers_are_read_or_refused_with_what_is_allowed() {
        assert_eq!("10.0.0.7/8".parse::<ProxyNetwork>().unwrap(), "10.0.0.0/8".parse().unwrap());
        assert!("fd00::/8".parse::<ProxyNetwork>().is_ok());
        assert!("::1".parse::<ProxyNetwork>().is_ok());
        let error = "10.0.0.0/33".parse::<ProxyNetwork>().unwrap_err();
        assert!(error.contains("allowed: e.g. 10.0.0.5"), "{error}");
        assert_eq!("X-Forwarded-For".parse(), Ok(ForwardedHeader::XForwardedFor));
        assert!(
            "x-real-ip"
                .parse::<ForwardedHeader>()
                .unwrap_err()
                .contains("allowed: x-forwarded-for or forwarded")
        );
    }
}
