//! 序号 as numbers: a printed number such as `(十二)` or `2.3` sorts by the numbers it
//! carries, so (二) comes before (十二) on every page and in the database's order.

/// The numbers a printed 序号 carries, in order: `(十二)` → [12], `2.3` → [2, 3].
pub fn number_key(number: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut digits = String::new();
    let mut chinese = String::new();
    let flush = |digits: &mut String, chinese: &mut String, out: &mut Vec<u32>| {
        if !digits.is_empty() {
            out.push(digits.parse().unwrap_or(u32::MAX));
            digits.clear();
        }
        if !chinese.is_empty() {
            out.push(chinese_number(chinese));
            chinese.clear();
        }
    };
    for c in number.chars() {
        if c.is_ascii_digit() {
            if !chinese.is_empty() {
                flush(&mut digits, &mut chinese, &mut out);
            }
            digits.push(c);
        } else if chinese_digit(c).is_some() || matches!(c, '十' | '百') {
            if !digits.is_empty() {
                flush(&mut digits, &mut chinese, &mut out);
            }
            chinese.push(c);
        } else {
            flush(&mut digits, &mut chinese, &mut out);
        }
    }
    flush(&mut digits, &mut chinese, &mut out);
    out
}

fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// 十二 → 12, 二十 → 20, 一百零五 → 105.
fn chinese_number(s: &str) -> u32 {
    let (mut total, mut digit) = (0u32, 0u32);
    for c in s.chars() {
        match c {
            '十' => {
                total += digit.max(1) * 10;
                digit = 0;
            }
            '百' => {
                total += digit.max(1) * 100;
                digit = 0;
            }
            other => digit = chinese_digit(other).unwrap_or(0),
        }
    }
    total + digit
}

/// Width of one number in [`number_sort_key`]: every `u32` fits.
const WIDTH: usize = 10;

/// [`number_key`] as text that sorts the same way under any collation: each number
/// zero-padded to ten digits, nothing else (a shorter key that is a prefix sorts first,
/// as a shorter list does). The store keeps it on each row to order the ledger by 序号.
pub fn number_sort_key(number: &str) -> String {
    number_key(number)
        .iter()
        .map(|n| format!("{n:0WIDTH$}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_numbers_sort_as_numbers() {
        assert_eq!(number_key("(十二)"), vec![12]);
        assert_eq!(number_key("(二十)"), vec![20]);
        assert_eq!(number_key("一百零五、"), vec![105]);
        assert_eq!(number_key("2.3"), vec![2, 3]);
        assert_eq!(number_key(""), Vec::<u32>::new());
    }

    proptest::proptest! {
        /// The text key orders as the list of numbers does.
        #[test]
        fn the_text_key_orders_as_the_numbers(
            a in proptest::collection::vec(0u32..u32::MAX, 0..4),
            b in proptest::collection::vec(0u32..u32::MAX, 0..4),
        ) {
            let text = |v: &[u32]| v.iter().map(|n| format!("{n:0WIDTH$}")).collect::<String>();
            proptest::prop_assert_eq!(text(&a).cmp(&text(&b)), a.cmp(&b));
        }
    }
}
