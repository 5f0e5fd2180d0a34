//! `NameMap`: values by name (languages, parameter names, code list ids).
//!
//! The names are few and read far more often than written, so they are kept
//! as a sorted vector searched by bisection, beside a vector of the values.
//! It iterates in the same order as a `BTreeMap<String, V>` (bytewise by
//! name) and debug-prints and serializes the same way, so every output stays
//! as it was. Why not `BTreeMap`: in the widget each of its key/value
//! instances brought its own copy of the tree code; here the search is one
//! function for every value type, and only moving values is generic.

use std::fmt;

use serde::ser::{Serialize, Serializer};

/// Values by name, in sorted order of the names.
#[derive(Clone, PartialEq, Eq)]
pub struct NameMap<V> {
    names: Vec<String>,
    values: Vec<V>,
}

impl<V> NameMap<V> {
    /// An empty map.
    pub const fn new() -> Self {
        NameMap { names: Vec::new(), values: Vec::new() }
    }

    /// How many names the map holds.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the map holds no name.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&V> {
        position(&self.names, name).ok().map(|at| &self.values[at])
    }

    /// Whether `name` has a value.
    pub fn contains_key(&self, name: &str) -> bool {
        position(&self.names, name).is_ok()
    }

    /// Sets the value of `name`, returning the value it replaces.
    pub fn insert(&mut self, name: String, value: V) -> Option<V> {
        match position(&self.names, &name) {
            Ok(at) => Some(std::mem::replace(&mut self.values[at], value)),
            Err(at) => {
                self.names.insert(at, name);
                self.values.insert(at, value);
                None
            }
        }
    }

    /// Keeps the names (and their values) that pass `keep`.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        let kept: Vec<bool> = self.names.iter().map(|name| keep(name)).collect();
        let mut flags = kept.iter();
        self.names.retain(|_| flags.next().copied().unwrap_or(true));
        let mut flags = kept.iter();
        self.values.retain(|_| flags.next().copied().unwrap_or(true));
    }

    /// Removes every name.
    pub fn clear(&mut self) {
        self.names.clear();
        self.values.clear();
    }

    /// The names, sorted.
    pub fn keys(&self) -> std::slice::Iter<'_, String> {
        self.names.iter()
    }

    /// The values, in the order of their names.
    pub fn values(&self) -> std::slice::Iter<'_, V> {
        self.values.iter()
    }

    /// Names and values, sorted by name.
    pub fn iter(&self) -> std::iter::Zip<std::slice::Iter<'_, String>, std::slice::Iter<'_, V>> {
        self.names.iter().zip(self.values.iter())
    }

    /// The map of `names[i]` → `values[i]` (as many of each), the names in
    /// any order; of a name given twice the last value counts. Sorted once
    /// (O(n log n)) rather than inserted one by one, which costs O(n²) moves
    /// for names that come in reverse order.
    pub(crate) fn from_entries(mut names: Vec<String>, mut values: Vec<V>) -> Self {
        let (order, kept) = sorted_last_of_each(&names);
        crate::compile::arrange(order, &mut |a, b| {
            names.swap(a, b);
            values.swap(a, b);
        });
        names.truncate(kept);
        values.truncate(kept);
        NameMap { names, values }
    }
}

/// Where `name` is in the sorted `names`, or where it would go. Not generic,
/// so there is one copy for all value types.
fn position(names: &[String], name: &str) -> Result<usize, usize> {
    names.binary_search_by(|probe| probe.as_str().cmp(name))
}

/// The positions of `names` in sorted order of the names, only the last
/// position of a name given more than once, then the positions of the
/// earlier repeats; and how many positions the sorted part holds.
fn sorted_last_of_each(names: &[String]) -> (Vec<usize>, usize) {
    let sorted = crate::compile::sorted_positions(names.len(), &|a, b| names[a] <= names[b]);
    let (mut order, mut repeats) = (Vec::with_capacity(names.len()), Vec::new());
    for (i, &at) in sorted.iter().enumerate() {
        let last = sorted.get(i + 1).is_none_or(|&next| names[next] != names[at]);
        if last { &mut order } else { &mut repeats }.push(at);
    }
    let kept = order.len();
    order.append(&mut repeats);
    (order, kept)
}

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        NameMap::new()
    }
}

impl<V: fmt::Debug> fmt::Debug for NameMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V: Serialize> Serialize for NameMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'a, V> IntoIterator for &'a NameMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Zip<std::slice::Iter<'a, String>, std::slice::Iter<'a, V>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<V> IntoIterator for NameMap<V> {
    type Item = (String, V);
    type IntoIter = std::iter::Zip<std::vec::IntoIter<String>, std::vec::IntoIter<V>>;

    fn into_iter(self) -> Self::IntoIter {
        self.names.into_iter().zip(self.values)
    }
}

impl<V> FromIterator<(String, V)> for NameMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(entries: I) -> Self {
        let (names, values) = entries.into_iter().unzip();
        NameMap::from_entries(names, values)
    }
}

impl<V, const N: usize> From<[(String, V); N]> for NameMap<V> {
    fn from(entries: [(String, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::NameMap;

    fn entries(names: &[&str]) -> Vec<(String, usize)> {
        names.iter().enumerate().map(|(i, name)| (name.to_string(), i)).collect()
    }

    #[test]
    fn iterates_gets_and_prints_like_a_btree_map() {
        for names in [&[][..], &["b", "a", "c"], &["a", "b", "a", "", "ä", "Z", "b"], &["x", "x", "x"], &["c", "b", "a"]] {
            let map: NameMap<usize> = entries(names).into_iter().collect();
            let tree: BTreeMap<String, usize> = entries(names).into_iter().collect();
            assert_eq!(map.iter().collect::<Vec<_>>(), tree.iter().collect::<Vec<_>>(), "{names:?}");
            assert_eq!(format!("{map:?}"), format!("{tree:?}"));
            assert_eq!(serde_json::to_string(&map).unwrap(), serde_json::to_string(&tree).unwrap());
            for name in ["a", "b", "x", "q", ""] {
                assert_eq!(map.get(name), tree.get(name), "{names:?} {name}");
                assert_eq!(map.contains_key(name), tree.contains_key(name));
            }
        }
    }

    #[test]
    fn insert_replaces_and_keeps_order() {
        let mut map = NameMap::new();
        let mut tree = BTreeMap::new();
        for (name, value) in entries(&["m", "a", "z", "m", "b"]) {
            assert_eq!(map.insert(name.clone(), value), tree.insert(name, value));
        }
        assert_eq!(map.into_iter().collect::<Vec<_>>(), tree.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn retain_keeps_names_and_values_together() {
        let mut map: NameMap<usize> = entries(&["/a/0/x", "/a/1/x", "/a/0/y", "/b", "/a/1/y"]).into_iter().collect();
        let mut tree: BTreeMap<String, usize> = map.iter().map(|(name, value)| (name.clone(), *value)).collect();
        map.retain(|name| !name.starts_with("/a/1/"));
        tree.retain(|name, _| !name.starts_with("/a/1/"));
        assert_eq!(map.iter().collect::<Vec<_>>(), tree.iter().collect::<Vec<_>>());
        map.clear();
        assert!(map.is_empty() && map.get("/b").is_none());
    }
}
