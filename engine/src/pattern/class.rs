//! Character classes: sorted, non-overlapping ranges of code points.

/// The largest Unicode scalar value.
const MAX_CHAR: u32 = 0x10FFFF;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Class {
    /// Inclusive ranges, sorted and merged once [`Class::canonical`] ran.
    pub(crate) ranges: Vec<(u32, u32)>,
}

impl Class {
    /// The inclusive ranges of code points, sorted.
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    pub fn single(c: char) -> Class {
        Class { ranges: vec![(c as u32, c as u32)] }
    }

    pub fn push(&mut self, low: char, high: char) {
        self.ranges.push((low as u32, high as u32));
    }

    pub fn union(&mut self, other: &Class) {
        self.ranges.extend_from_slice(&other.ranges);
    }

    /// Every character but a newline: what `.` matches unless `(?s)`.
    pub fn any_but_newline() -> Class {
        Class { ranges: vec![(0, 9), (11, MAX_CHAR)] }
    }

    pub fn any() -> Class {
        Class { ranges: vec![(0, MAX_CHAR)] }
    }

    /// `\d`, `\s`, `\w` and their negations `\D`, `\S`, `\W`, all ASCII.
    pub fn perl(letter: char) -> Option<Class> {
        let class = match letter.to_ascii_lowercase() {
            'd' => ascii(&[('0', '9')]),
            's' => ascii(&[('\t', '\r'), (' ', ' ')]),
            'w' => word(),
            _ => return None,
        };
        Some(if letter.is_ascii_uppercase() { class.negated() } else { class })
    }

    /// The ASCII classes written `[:name:]` inside brackets.
    pub fn posix(name: &str) -> Option<Class> {
        let ranges: &[(char, char)] = match name {
            "alnum" => &[('0', '9'), ('A', 'Z'), ('a', 'z')],
            "alpha" => &[('A', 'Z'), ('a', 'z')],
            "ascii" => &[('\0', '\x7F')],
            "blank" => &[('\t', '\t'), (' ', ' ')],
            "cntrl" => &[('\0', '\x1F'), ('\x7F', '\x7F')],
            "digit" => &[('0', '9')],
            "graph" => &[('!', '~')],
            "lower" => &[('a', 'z')],
            "print" => &[(' ', '~')],
            "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
            "space" => &[('\t', '\r'), (' ', ' ')],
            "upper" => &[('A', 'Z')],
            "word" => return Some(word()),
            "xdigit" => &[('0', '9'), ('A', 'F'), ('a', 'f')],
            _ => return None,
        };
        Some(ascii(ranges))
    }

    /// Sorted, with overlapping and adjacent ranges merged.
    pub fn canonical(mut self) -> Class {
        // An insertion sort: classes have a handful of ranges, and the
        // standard library's sort would add another ~2.5 KB to the widget.
        for i in 1..self.ranges.len() {
            let mut j = i;
            while j > 0 && self.ranges[j - 1] > self.ranges[j] {
                self.ranges.swap(j - 1, j);
                j -= 1;
            }
        }
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(self.ranges.len());
        for (low, high) in self.ranges {
            match merged.last_mut() {
                Some(last) if low <= last.1.saturating_add(1) => last.1 = last.1.max(high),
                _ => merged.push((low, high)),
            }
        }
        Class { ranges: merged }
    }

    /// Every character not in the class.
    pub fn negated(self) -> Class {
        let mut ranges = Vec::new();
        let mut next = 0;
        for (low, high) in self.canonical().ranges {
            if low > next {
                ranges.push((next, low - 1));
            }
            next = high + 1;
        }
        if next <= MAX_CHAR {
            ranges.push((next, MAX_CHAR));
        }
        Class { ranges }
    }

    /// The class with the other case of every ASCII letter in it added:
    /// case-insensitive matching, ASCII only, as on every platform the
    /// engine runs on.
    pub fn case_folded(mut self) -> Class {
        let mut other = Vec::new();
        for &(low, high) in &self.ranges {
            for (from, to) in [(b'a', b'A'), (b'A', b'a')] {
                let (start, end) = (low.max(from.into()), high.min(u32::from(from) + 25));
                if start <= end {
                    let shift = |c: u32| c - u32::from(from) + u32::from(to);
                    other.push((shift(start), shift(end)));
                }
            }
        }
        self.ranges.extend(other);
        self.canonical()
    }

    pub fn contains(&self, c: char) -> bool {
        let c = c as u32;
        self.ranges
            .binary_search_by(|&(low, high)| {
                if high < c {
                    std::cmp::Ordering::Less
                } else if low > c {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }
}

/// Whether `c` is a word character for `\b`: ASCII letters, digits and `_`.
pub fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn word() -> Class {
    ascii(&[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')])
}

fn ascii(ranges: &[(char, char)]) -> Class {
    Class { ranges: ranges.iter().map(|&(low, high)| (low as u32, high as u32)).collect() }
}
