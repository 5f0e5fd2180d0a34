//! Pass 3: gives every declared parameter its value — the tenant's for this
//! form, else the tenant's value for all forms (`"*"`), else the form's default.

use crate::error::{pointer_push, DefinitionError, DefinitionErrorKind as Kind};
use crate::input::{exact_number_text, is_imprecise_number, IMPRECISE_NUMBER};
use crate::model::{FormDefinition, ParameterType, Tenant};
use crate::value::{Date, Decimal, Type, Value};
use crate::NameMap;

pub(super) fn resolve(definition: &FormDefinition, tenant: Option<&Tenant>, errors: &mut Vec<DefinitionError>) -> NameMap<Option<Value>> {
    let mut values = NameMap::new();
    for (name, parameter) in &definition.parameters {
        let declared_at = pointer_push("/parameters", name);
        let from_tenant = tenant.and_then(|t| {
            [definition.id.as_str(), "*"].into_iter().find_map(|scope| t.parameters.get(scope)?.get(name).map(|v| (scope, v)))
        });
        let value = match (from_tenant, &parameter.default) {
            (Some((scope, json)), _) => parse(parameter.kind, json).ok_or_else(|| {
                let pointer = pointer_push(&pointer_push("/parameters", scope), name);
                let problem = problem(parameter.kind, json);
                DefinitionError::new(pointer, Kind::Tenant, format!("tenant value for parameter '{name}' {problem}"))
            }),
            (None, Some(json)) => parse(parameter.kind, json).ok_or_else(|| {
                let problem = problem(parameter.kind, json);
                DefinitionError::new(pointer_push(&declared_at, "default"), Kind::InvalidProperty, format!("default {problem}"))
            }),
            (None, None) => Err(DefinitionError::new(
                &declared_at,
                Kind::MissingParameterValue,
                match tenant {
                    Some(t) => format!("parameter '{name}' has no default and tenant '{}' gives no value", t.id),
                    None => {
                        format!("parameter '{name}' has no default and no tenant gives a value")
                    }
                },
            )),
        };
        match value {
            Ok(value) => {
                values.insert(name.clone(), value);
            }
            Err(error) => errors.push(error),
        }
    }
    if let Some(given) = tenant.and_then(|t| t.parameters.get(&definition.id)) {
        for name in given.keys().filter(|name| !definition.parameters.contains_key(name)) {
            errors.push(DefinitionError::new(
                pointer_push(&pointer_push("/parameters", &definition.id), name),
                Kind::Tenant,
                format!("the tenant values parameter '{name}', which form '{}' does not declare", definition.id),
            ));
        }
    }
    values
}

/// The expression type of a parameter.
pub(super) fn parameter_type(kind: ParameterType) -> Type {
    match kind {
        ParameterType::Text => Type::Text,
        ParameterType::Integer => Type::Int,
        ParameterType::Decimal | ParameterType::Money => Type::Decimal,
        ParameterType::Boolean => Type::Bool,
        ParameterType::Date => Type::Date,
    }
}

fn type_name(kind: ParameterType) -> &'static str {
    match kind {
        ParameterType::Text => "text",
        ParameterType::Integer => "integer",
        ParameterType::Decimal => "decimal number",
        ParameterType::Money => "amount of money",
        ParameterType::Boolean => "boolean",
        ParameterType::Date => "date (YYYY-MM-DD)",
    }
}

/// What is wrong with a value that [`parse`] refused.
fn problem(kind: ParameterType, json: &serde_json::Value) -> String {
    if is_imprecise_number(json) {
        IMPRECISE_NUMBER.to_string()
    } else {
        format!("is not a valid {}", type_name(kind))
    }
}

/// Parses a parameter value; `Some(None)` is an explicitly empty value.
fn parse(kind: ParameterType, json: &serde_json::Value) -> Option<Option<Value>> {
    use serde_json::Value as J;
    if json.is_null() {
        return Some(None);
    }
    let value = match (kind, json) {
        (ParameterType::Text, J::String(s)) => Value::Text(s.trim().into()),
        (ParameterType::Integer, J::Number(n)) => Value::Int(n.as_i64()?),
        (ParameterType::Decimal | ParameterType::Money, J::Number(n)) => Value::Decimal(Decimal::parse(&exact_number_text(n)?)?),
        (ParameterType::Decimal | ParameterType::Money, J::String(s)) => Value::Decimal(Decimal::parse(s.trim())?),
        (ParameterType::Boolean, J::Bool(b)) => Value::Bool(*b),
        (ParameterType::Date, J::String(s)) => Value::Date(Date::parse(s)?),
        _ => return None,
    };
    Some(Some(value))
}
