//! One way to spread work over the machine's cores: scoped threads over contiguous chunks of a
//! slice, results in the slice's order. Every fan-out in core goes through here.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many worker threads a fan-out uses: the machine's cores, at most 8. Asked once per
/// process: on Linux the answer reads cgroup files, a cost that dominated plans of many small
/// environments when it was asked per call.
pub(crate) fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(8))
}

/// Run `f` on contiguous chunks of `items`, one chunk per thread, and return the chunks'
/// results in order. Fewer than `inline_below` items (or a one-core machine) run as one chunk on
/// the calling thread. A panic in `f` is resumed on the caller.
pub(crate) fn par_chunks<T: Sync, R: Send>(
    items: &[T],
    inline_below: usize,
    f: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    let threads = threads();
    if threads < 2 || items.len() < inline_below.max(2) {
        return vec![f(items)];
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let f = &f;
                scope.spawn(move || f(part))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// [`par_chunks`] where each chunk also gets one of `states` to itself: as many chunks as
/// states (give [`threads`] of them, at least one), or one chunk on the calling thread below
/// `inline_below` items. A state can be an exclusive borrow (an arena the chunk's results
/// borrow from), which no closure shared by the threads could hand out.
pub(crate) fn par_chunks_with<S: Send, T: Sync, R: Send>(
    items: &[T],
    inline_below: usize,
    states: Vec<S>,
    f: impl Fn(S, &[T]) -> R + Sync,
) -> Vec<R> {
    if states.len() < 2 || items.len() < inline_below.max(2) {
        return states.into_iter().take(1).map(|s| f(s, items)).collect();
    }
    let chunk = items.len().div_ceil(states.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .zip(states)
            .map(|(part, state)| {
                let f = &f;
                scope.spawn(move || f(state, part))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// Run `f` on every item, the calling thread and [`threads`]` - 1` workers each taking the
/// next item from a shared counter until none is left; results keep the items' order. For
/// items of uneven cost (the documents of a long stream): a thread that starts late or is
/// descheduled leaves its share to the others instead of running a fixed half alone.
pub(crate) fn par_map_queue<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads().min(items.len());
    if threads < 2 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            done.push((i, f(item)));
        }
        done
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut done = work();
        for h in handles {
            done.extend(h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Run `f` on every item, spread as [`par_chunks`] does; results keep the items' order.
pub(crate) fn par_map<T: Sync, R: Send>(
    items: &[T],
    inline_below: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    par_chunks(items, inline_below, |part| {
        part.iter().map(&f).collect::<Vec<R>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_kept_inline_and_spread() {
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(
            par_map(&items, 64, |x| x * 2),
            items.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        assert_eq!(par_map(&items[..3], 64, |x| x + 1), vec![1, 2, 3]);
        let sums: u32 = par_chunks(&items, 2, |part| part.iter().sum::<u32>())
            .into_iter()
            .sum();
        assert_eq!(sums, items.iter().sum::<u32>());
        assert!(par_map::<u32, u32>(&[], 0, |x| *x).is_empty());
        assert_eq!(
            par_map_queue(&items, |x| x * 3),
            items.iter().map(|x| x * 3).collect::<Vec<_>>()
        );
        assert!(par_map_queue::<u32, u32>(&[], |x| *x).is_empty());
    }
}
