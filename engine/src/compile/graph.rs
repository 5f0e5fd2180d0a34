//! Pass 5: the dependency graph and the evaluation order.
//!
//! Each node has two vertices. Its *value* vertex covers relevance and the
//! computed value — what other expressions see of it. Its *status* vertex
//! covers requiredness, read-only state and checks — what only the citizen
//! sees. Only value vertices feed other expressions, so two fields that make
//! each other required ("phone or e-mail") are no cycle, while a value that
//! depends on itself is.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{CompiledForm, Cond, NodeId, RefMode};
use crate::error::{DefinitionError, DefinitionErrorKind as Kind};
use crate::expr::Expr;

/// Dependency edges and the topological order of value vertices.
#[derive(Debug, Clone, Default)]
pub(crate) struct Graph {
    /// Nodes in evaluation order.
    pub order: Vec<NodeId>,
    /// Position of each node in `order`.
    pub rank: Vec<u32>,
    /// For each node: nodes whose value vertex reads its value.
    pub value_dependents: Vec<Vec<NodeId>>,
    /// For each node: nodes whose status reads its value.
    pub status_dependents: Vec<Vec<NodeId>>,
    /// For each node: form rules that read its value.
    pub rule_dependents: Vec<Vec<usize>>,
    /// For each node: the nodes its value vertex reads (for `efa graph`).
    pub value_sources: Vec<Vec<NodeId>>,
}

pub(super) fn build(form: &CompiledForm, errors: &mut Vec<DefinitionError>) -> Graph {
    let count = form.nodes.len();
    let mut graph = Graph {
        value_dependents: vec![Vec::new(); count],
        status_dependents: vec![Vec::new(); count],
        rule_dependents: vec![Vec::new(); count],
        value_sources: vec![Vec::new(); count],
        ..Graph::default()
    };
    for (n, node) in form.nodes.iter().enumerate() {
        let mut sources = Vec::new();
        if let Some(parent) = node.parent {
            sources.push(parent);
        }
        for expr in node.logic.visible.iter().chain(&node.logic.compute) {
            sources.extend(expression_sources(form, expr));
        }
        sort_dedup_all(&mut sources);
        for &source in &sources {
            graph.value_dependents[source].push(n);
        }
        graph.value_sources[n] = sources;

        let mut status_sources = Vec::new();
        for cond in [&node.logic.required, &node.logic.readonly] {
            if let Cond::When(expr) = cond {
                status_sources.extend(expression_sources(form, expr));
            }
        }
        for check in &node.logic.checks {
            status_sources.extend(expression_sources(form, &check.expr));
        }
        for option in &node.options {
            status_sources.extend(option.visible.iter().flat_map(|e| expression_sources(form, e)));
        }
        sort_dedup_all(&mut status_sources);
        for source in status_sources {
            graph.status_dependents[source].push(n);
        }
    }
    for (index, rule) in form.rules.iter().enumerate() {
        let mut sources: Vec<NodeId> = std::iter::once(&rule.check).chain(&rule.when).flat_map(|e| expression_sources(form, e)).collect();
        sources.extend(&rule.fields);
        sort_dedup_all(&mut sources);
        for source in sources {
            graph.rule_dependents[source].push(index);
        }
    }
    graph.order = topological_order(&graph, count);
    if graph.order.len() < count {
        report_cycles(form, &graph, errors);
    }
    graph.rank = vec![0; count];
    for (position, &n) in graph.order.iter().enumerate() {
        graph.rank[n] = position as u32;
    }
    graph
}

/// The nodes an expression reads: each target, plus the repeating groups a
/// fan-out reference iterates (adding or removing an instance changes the list).
pub(crate) fn expression_sources(form: &CompiledForm, expr: &Expr) -> Vec<NodeId> {
    let mut sources = Vec::new();
    for r in expr.refs() {
        let target = form.target(r);
        sources.push(target.node);
        if target.mode == RefMode::FanOut {
            let chain = &form.scopes[form.nodes[target.node].scope].chain;
            for &(scope, _) in &chain[target.shared..] {
                sources.extend(form.scopes[scope].repeat_node);
            }
        }
    }
    sources
}

/// Sorts `items` and drops repeats, like `sort` + `dedup`. The standard
/// library's sort is one large copy per element type in the WebAssembly
/// widget; here the merge sort ([`sorted_positions`]) and the moves
/// ([`arrange`]) are one function each for all types. It is stable,
/// so for types whose `Ord` compares every field (node ids, definition
/// errors, changed slots) the result is the one `sort` gives.
pub(crate) fn sort_dedup_all<T: Ord>(items: &mut Vec<T>) {
    if items.len() < 2 {
        return;
    }
    let order = sorted_positions(items.len(), &|a, b| items[a] <= items[b]);
    arrange(order, &mut |a, b| items.swap(a, b));
    items.dedup();
}

/// Puts the item at position `order[i]` at position `i`, for every `i`, with
/// `swap` (at most one swap per item). `order` is a permutation.
pub(crate) fn arrange(order: Vec<usize>, swap: &mut dyn FnMut(usize, usize)) {
    let mut destination = vec![0; order.len()];
    for (to, from) in order.into_iter().enumerate() {
        destination[from] = to;
    }
    for at in 0..destination.len() {
        while destination[at] != at {
            let to = destination[at];
            swap(at, to);
            destination.swap(at, to);
        }
    }
}

/// The positions `0..len` in sorted order, where `in_order(a, b)` says
/// whether the item at `a` may come before the item at `b`. A bottom-up
/// merge sort that keeps equal items in their order (stable).
pub(crate) fn sorted_positions(len: usize, in_order: &dyn Fn(usize, usize) -> bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut merged = vec![0; len];
    let mut width = 1;
    while width < len {
        for start in (0..len).step_by(2 * width) {
            let (middle, end) = ((start + width).min(len), (start + 2 * width).min(len));
            let (mut left, mut right) = (start, middle);
            for slot in &mut merged[start..end] {
                let take_left = right == end || (left < middle && in_order(order[left], order[right]));
                let next = if take_left { &mut left } else { &mut right };
                *slot = order[*next];
                *next += 1;
            }
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

/// Kahn's algorithm, taking the earliest node in document order first so the
/// order is deterministic and close to reading order.
fn topological_order(graph: &Graph, count: usize) -> Vec<NodeId> {
    let mut in_degree: Vec<usize> = graph.value_sources.iter().map(Vec::len).collect();
    let mut ready: BinaryHeap<Reverse<NodeId>> = (0..count).filter(|&n| in_degree[n] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(count);
    while let Some(Reverse(n)) = ready.pop() {
        order.push(n);
        for &dependent in &graph.value_dependents[n] {
            in_degree[dependent] -= 1;
            if in_degree[dependent] == 0 {
                ready.push(Reverse(dependent));
            }
        }
    }
    order
}

/// Reports each cycle once, naming the fields along it.
fn report_cycles(form: &CompiledForm, graph: &Graph, errors: &mut Vec<DefinitionError>) {
    let mut placed = vec![false; form.nodes.len()];
    for &n in &graph.order {
        placed[n] = true;
    }
    let mut reported = vec![false; form.nodes.len()];
    for start in 0..form.nodes.len() {
        if placed[start] || reported[start] {
            continue;
        }
        let Some(cycle) = find_cycle(graph, start, &placed) else {
            continue;
        };
        if cycle.iter().any(|&n| reported[n]) {
            continue;
        }
        for &n in &cycle {
            reported[n] = true;
        }
        let first = *cycle.iter().min().unwrap_or(&start);
        let names: Vec<&str> = cycle.iter().chain(cycle.first()).map(|&n| form.nodes[n].id.as_str()).collect();
        errors.push(DefinitionError::new(
            form.nodes[first].pointer.clone(),
            Kind::Cycle,
            format!("visibility or computed values depend on themselves: {}", names.join(" → ")),
        ));
    }
}

/// Follows unplaced sources from `start` until a node repeats; returns the cycle.
fn find_cycle(graph: &Graph, start: NodeId, placed: &[bool]) -> Option<Vec<NodeId>> {
    let mut path = vec![start];
    let mut on_path = vec![usize::MAX; placed.len()];
    on_path[start] = 0;
    let mut current = start;
    loop {
        let next = *graph.value_sources[current].iter().find(|&&s| !placed[s])?;
        if on_path[next] != usize::MAX {
            let mut cycle = path[on_path[next]..].to_vec();
            cycle.reverse();
            return Some(cycle);
        }
        on_path[next] = path.len();
        path.push(next);
        current = next;
    }
}

#[cfg(test)]
mod tests {
    use super::sort_dedup_all;

    #[test]
    fn sort_dedup_matches_the_standard_sort() {
        let cases: [&[usize]; 5] = [&[], &[3], &[2, 1], &[5, 3, 5, 1, 3, 9, 0, 0, 7], &[9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3]];
        for case in cases {
            let mut want = case.to_vec();
            want.sort_unstable();
            want.dedup();
            let mut got = case.to_vec();
            sort_dedup_all(&mut got);
            assert_eq!(got, want);
            let mut got: Vec<String> = case.iter().map(|n| format!("n{n}")).collect();
            sort_dedup_all(&mut got);
            let mut want: Vec<String> = case.iter().map(|n| format!("n{n}")).collect();
            want.sort();
            want.dedup();
            assert_eq!(got, want);
        }
    }
}
