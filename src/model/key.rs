//! A fingerprint of a value: 128 bits of XXH3 over what the value hashes.
//!
//! Takes any value that hashes; gives its [`Key`]. The same value gives the
//! same key in every run of the same program (no random seed), so keys may
//! be stored and compared between builds. Pure: no I/O. The build cache
//! salts the keys it stores with the program's identity (`cache::key_of`);
//! this one is for values that carry their own digest, such as a page body.

use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use xxhash_rust::xxh3::Xxh3;

/// A fingerprint of an output's inputs.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct Key(pub u128);

impl Key {
    /// The key as 32 hexadecimal digits, for file names.
    pub fn hex(self) -> String {
        format!("{:032x}", self.0)
    }
}

/// The unsalted fingerprint of a value that hashes.
pub fn digest_of(value: &impl Hash) -> Key {
    struct Digest(Xxh3);
    impl Hasher for Digest {
        fn finish(&self) -> u64 {
            self.0.digest()
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
    }
    let mut hasher = Digest(Xxh3::new());
    value.hash(&mut hasher);
    Key(hasher.0.digest128())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_have_equal_digests_and_others_differ() {
        assert_eq!(digest_of(&("a", 1)), digest_of(&("a", 1)));
        assert_ne!(digest_of(&("a", 1)), digest_of(&("a", 2)));
        assert_eq!(Key(255).hex(), format!("{}ff", "0".repeat(30)));
    }
}
