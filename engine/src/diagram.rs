//! The dependency graph as a diagram for authors (`efa graph`): which field
//! decides the visibility, requiredness or value of which.

use std::fmt::Write;

use crate::compile::{graph::expression_sources, CompiledForm, Cond, NodeId, NodeKind};

/// Diagram notations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// One labelled edge: `from` decides `what` of `to`.
struct Edge {
    from: NodeId,
    to: NodeId,
    what: &'static str,
}

impl CompiledForm {
    /// Renders the dependency graph.
    pub fn diagram(&self, notation: Notation) -> String {
        let edges = self.edges();
        let mut used = vec![false; self.nodes.len()];
        for edge in &edges {
            used[edge.from] = true;
            used[edge.to] = true;
        }
        let mut out = String::new();
        match notation {
            Notation::Dot => {
                let _ = writeln!(out, "digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box];", self.id());
                for (n, node) in self.nodes.iter().enumerate().filter(|(n, _)| used[*n]) {
                    let shape = if node.kind == NodeKind::Step { ", shape=folder" } else { "" };
                    let _ = writeln!(out, "  n{n} [label=\"{}\"{shape}];", self.display_name(n));
                }
                for edge in &edges {
                    let _ = writeln!(out, "  n{} -> n{} [label=\"{}\"];", edge.from, edge.to, edge.what);
                }
                out.push_str("}\n");
            }
            Notation::Mermaid => {
                out.push_str("flowchart LR\n");
                for (n, _) in self.nodes.iter().enumerate().filter(|(n, _)| used[*n]) {
                    let _ = writeln!(out, "  n{n}[\"{}\"]", self.display_name(n));
                }
                for edge in &edges {
                    let _ = writeln!(out, "  n{} -->|{}| n{}", edge.from, edge.what, edge.to);
                }
            }
        }
        out
    }

    fn display_name(&self, n: NodeId) -> String {
        let node = &self.nodes[n];
        let name = match node.kind {
            NodeKind::Step => format!("step {}", node.id),
            NodeKind::Field(_) => node.data_path.join("."),
        };
        name.replace('"', "'")
    }

    fn edges(&self) -> Vec<Edge> {
        let mut edges = Vec::new();
        let mut add = |to: NodeId, what: &'static str, sources: Vec<NodeId>| {
            let mut sources = sources;
            sources.sort_unstable();
            sources.dedup();
            edges.extend(sources.into_iter().map(|from| Edge { from, to, what }));
        };
        for (n, node) in self.nodes.iter().enumerate() {
            let logic = &node.logic;
            if let Some(expr) = &logic.visible {
                add(n, "visible", expression_sources(self, expr));
            }
            if let Cond::When(expr) = &logic.required {
                add(n, "required", expression_sources(self, expr));
            }
            if let Cond::When(expr) = &logic.readonly {
                add(n, "readonly", expression_sources(self, expr));
            }
            if let Some(expr) = &logic.compute {
                add(n, "compute", expression_sources(self, expr));
            }
            let checks = logic.checks.iter().flat_map(|c| expression_sources(self, &c.expr)).filter(|&s| s != n).collect();
            add(n, "check", checks);
        }
        edges
    }
}
