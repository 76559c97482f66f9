//! The self-made Sigstore's timestamp authority: a root and a TSA certificate (EKU
//! `timeStamping`, critical), and RFC 3161 responses (`TimeStampResp` with a granted status and
//! a CMS SignedData over a TSTInfo, signed attributes, the TSA certificate embedded) built by
//! hand so that genTime can be set — `openssl ts` always stamps the current time, and the
//! Sigstore's certificates live in a fixed window.

use der::asn1::{GeneralizedTime, ObjectIdentifier, OctetString};
use der::{Decode as _, Encode as _};
use p256::ecdsa::SigningKey;
use sha2::{Digest as _, Sha256};
use std::time::Duration;
use x509_cert::Certificate;

const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
const CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";

/// What to break in one response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TsaKnob {
    /// A good response, genTime a few seconds after signing.
    Good,
    /// Signed by a TSA the trusted root does not list.
    UntrustedTsa,
    /// genTime after the signing certificate's NotAfter.
    AfterLeaf,
    /// The CMS signature made with another key than the TSA certificate's.
    WrongKey,
    /// A byte of the TSTInfo changed after signing.
    Tampered,
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn oid(text: &str) -> Vec<u8> {
    ObjectIdentifier::new_unwrap(text).to_der().unwrap()
}

fn algorithm(text: &str) -> Vec<u8> {
    seq(&[oid(text)])
}

fn int(v: u8) -> Vec<u8> {
    tlv(0x02, &[v])
}

/// The TSA: a root CA and the TSA certificate it issued, valid for ten years from `start`.
pub struct Tsa {
    pub key: SigningKey,
    pub cert_der: Vec<u8>,
    pub root_der: Vec<u8>,
}

impl Tsa {
    pub fn new(seed: u8, start: u64) -> Tsa {
        let root_key = super::mint::key(seed);
        let key = super::mint::key(seed + 1);
        let root_name = format!("O=tsa{seed}.test,CN=tsa{seed}-root");
        let ten_years = 10 * 365 * 86400;
        let root_der = super::mint::certificate(
            &root_name,
            &root_name,
            &root_key,
            &root_key,
            (start, start + ten_years),
            1,
            super::mint::ca_exts(0),
        );
        let eku = super::mint::ext(
            "2.5.29.37",
            true,
            x509_cert::ext::pkix::ExtendedKeyUsage(vec!["1.3.6.1.5.5.7.3.8".parse().unwrap()])
                .to_der()
                .unwrap(),
        );
        let cert_der = super::mint::certificate(
            &format!("O=tsa{seed}.test,CN=tsa{seed}"),
            &root_name,
            &key,
            &root_key,
            (start, start + ten_years),
            2,
            vec![eku],
        );
        Tsa {
            key,
            cert_der,
            root_der,
        }
    }

    /// The trusted root's `timestampAuthorities[]` entry (chain: TSA certificate, root).
    pub fn authority(&self, valid_from: &str) -> serde_json::Value {
        let b64 = |d: &[u8]| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(d)
        };
        serde_json::json!({
            "subject": {"organization": "tsa.mint.test", "commonName": "tsa"},
            "uri": "https://tsa.mint.test/api/v1/timestamp",
            "certChain": {"certificates": [{"rawBytes": b64(&self.cert_der)}, {"rawBytes": b64(&self.root_der)}]},
            "validFor": {"start": valid_from},
        })
    }

    /// A DER `TimeStampResp` over `message` at `gen_time` (unix seconds), broken as `knob` says.
    pub fn respond(&self, message: &[u8], gen_time: u64, knob: TsaKnob) -> Vec<u8> {
        let other;
        let (signer, cert_der) = match knob {
            TsaKnob::UntrustedTsa => {
                other = Tsa::new(80, gen_time - 86400);
                (&other.key, other.cert_der.clone())
            }
            _ => (&self.key, self.cert_der.clone()),
        };
        let time = GeneralizedTime::from_unix_duration(Duration::from_secs(gen_time))
            .unwrap()
            .to_der()
            .unwrap();
        let imprint = seq(&[algorithm(SHA256), tlv(0x04, &Sha256::digest(message))]);
        let mut tst_info = seq(&[int(1), oid("1.2.3.4.1"), imprint, int(7), time]);
        let attrs = [
            seq(&[oid(CONTENT_TYPE), tlv(0x31, &oid(TST_INFO))]),
            seq(&[
                oid(MESSAGE_DIGEST),
                tlv(0x31, &tlv(0x04, &Sha256::digest(&tst_info))),
            ]),
        ];
        let mut sorted = attrs.to_vec();
        sorted.sort();
        let signed_attrs = sorted.concat();
        let signing_key = if knob == TsaKnob::WrongKey {
            super::mint::key(99)
        } else {
            signer.clone()
        };
        let signature = super::mint::sign(&signing_key, &tlv(0x31, &signed_attrs));
        if knob == TsaKnob::Tampered {
            // The serial number: the message digest attribute no longer matches.
            let at = tst_info.len() - 18;
            tst_info[at] ^= 1;
        }
        let cert = Certificate::from_der(&cert_der).unwrap();
        let sid = seq(&[
            cert.tbs_certificate.issuer.to_der().unwrap(),
            cert.tbs_certificate.serial_number.to_der().unwrap(),
        ]);
        let signer_info = seq(&[
            int(1),
            sid,
            algorithm(SHA256),
            tlv(0xa0, &signed_attrs),
            algorithm(ECDSA_SHA256),
            OctetString::new(signature).unwrap().to_der().unwrap(),
        ]);
        let encap = seq(&[oid(TST_INFO), tlv(0xa0, &tlv(0x04, &tst_info))]);
        let signed_data = seq(&[
            int(3),
            tlv(0x31, &algorithm(SHA256)),
            encap,
            tlv(0xa0, &cert_der),
            tlv(0x31, &signer_info),
        ]);
        let token = seq(&[oid(SIGNED_DATA), tlv(0xa0, &signed_data)]);
        seq(&[seq(&[int(0)]), token])
    }
}
