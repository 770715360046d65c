//! The SSRF guard: webhook endpoints may not point at this machine or its private networks
//! (loopback, RFC 1918, link-local and cloud metadata, CGNAT, unique-local IPv6, multicast,
//! unspecified, and IPv4 hidden in IPv6 forms) unless `webhook.allowed_networks` lists them.
//! Checked when an endpoint is created and again at send time (the worker's DNS resolver drops
//! forbidden addresses, so a name that later resolves elsewhere cannot be used to rebind).

use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fn v4_forbidden(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || a >= 240 // reserved
}

fn v6_forbidden(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_forbidden(v4);
    }
    let seg = ip.segments();
    // NAT64 (64:ff9b::/96) embeds an IPv4 address in the last 32 bits.
    if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0, 0, 0, 0] {
        let [.., hi, lo] = seg;
        return v4_forbidden(Ipv4Addr::from(((hi as u32) << 16) | lo as u32));
    }
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (seg[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (seg[0] == 0 && seg[1..6] == [0; 5]) // IPv4-compatible ::a.b.c.d
}

/// Whether `ip` may be a webhook target given the configured allowlist.
pub fn allowed(ip: IpAddr, allowlist: &[IpNet]) -> bool {
    if allowlist.iter().any(|net| net.contains(&ip)) {
        return true;
    }
    match ip {
        IpAddr::V4(v4) => !v4_forbidden(v4),
        IpAddr::V6(v6) => !v6_forbidden(v6),
    }
}

/// Checks a URL's host: IP literals directly, names by resolving them (every address must be
/// allowed). The error says why, for the endpoint's owner.
pub async fn check_url(url: &url::Url, allowlist: &[IpNet]) -> Result<(), String> {
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<IpAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(url::Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(url::Host::Domain(name)) => tokio::net::lookup_host((name, port))
            .await
            .map_err(|e| format!("the host {name} does not resolve: {e}"))?
            .map(|a| a.ip())
            .collect(),
        None => return Err("the URL has no host".into()),
    };
    match addrs.iter().find(|ip| !allowed(**ip, allowlist)) {
        Some(ip) => Err(format!(
            "{ip} is a private, loopback, link-local or reserved address; webhook targets must be \
             public (or listed in webhook.allowed_networks)"
        )),
        None if addrs.is_empty() => Err("the host resolves to no address".into()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_and_special_addresses_are_refused() {
        for bad in [
            "127.0.0.1",
            "127.8.9.1",
            "10.0.0.1",
            "172.16.5.4",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "::127.0.0.1",
            "ff02::1",
        ] {
            assert!(!allowed(ip(bad), &[]), "{bad} must be refused");
        }
        for good in [
            "93.184.216.34",
            "1.1.1.1",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(allowed(ip(good), &[]), "{good} must be allowed");
        }
    }

    #[test]
    fn the_allowlist_opens_exactly_its_networks() {
        let allow: Vec<IpNet> = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.1.0.0/16".parse().unwrap(),
        ];
        assert!(allowed(ip("127.0.0.1"), &allow));
        assert!(allowed(ip("10.1.2.3"), &allow));
        assert!(!allowed(ip("127.0.0.2"), &allow));
        assert!(!allowed(ip("10.2.0.1"), &allow));
    }

    #[tokio::test]
    async fn urls_in_every_disguise_are_checked() {
        // The WHATWG parser normalises decimal, hex and short IPv4 forms.
        for bad in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f.0.0.1/",
            "http://127.1/",
            "http://[::1]/",
            "http://[::ffff:7f00:1]/",
            "http://localhost:8080/hook",
            "http://169.254.169.254/latest/meta-data/",
        ] {
            let url = url::Url::parse(bad).unwrap();
            assert!(check_url(&url, &[]).await.is_err(), "{bad} must be refused");
        }
        let public = url::Url::parse("https://93.184.216.34/hook").unwrap();
        assert!(check_url(&public, &[]).await.is_ok());
    }
}
