//! Reads the shared types out of a value `JSON.parse` made; browser only.
//!
//! `serde-wasm-bindgen` does the same, but its errors describe the unexpected value through
//! `serde`'s default messages, which format floats and escape strings: about 20 KB of the
//! bundle spent on messages for answers of the wrong shape. This reader covers what JSON can
//! hold (null, booleans, numbers, strings, arrays, objects; enums as their variant's name) and
//! its errors name only what was expected.

use js_sys::{Array, Object};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};

/// Why a value does not fit the type it was read into.
#[derive(Debug)]
pub(crate) struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }

    // The value itself is left out of these messages (see the module's doc).
    fn invalid_type(_: de::Unexpected, expected: &dyn de::Expected) -> Self {
        Error(format!("invalid type, expected {expected}"))
    }

    fn invalid_value(_: de::Unexpected, expected: &dyn de::Expected) -> Self {
        Error(format!("invalid value, expected {expected}"))
    }

    fn invalid_length(len: usize, expected: &dyn de::Expected) -> Self {
        Error(format!("invalid length {len}, expected {expected}"))
    }

    fn unknown_variant(variant: &str, _: &'static [&'static str]) -> Self {
        Error(format!("unknown variant `{variant}`"))
    }

    fn missing_field(field: &'static str) -> Self {
        Error(format!("missing field `{field}`"))
    }
}

/// Reads a `T` from `value`.
pub(crate) fn from_value<T: de::DeserializeOwned>(value: JsValue) -> Result<T, Error> {
    T::deserialize(Deserializer(value))
}

/// A deserializer over one JavaScript value.
pub(crate) struct Deserializer(pub(crate) JsValue);

/// Integral numbers are read as integers (what the integer types accept; the float types take
/// them too), others as floats.
const U64_END: f64 = 18_446_744_073_709_551_616.0;
const I64_START: f64 = -9_223_372_036_854_775_808.0;

impl<'de> de::Deserializer<'de> for Deserializer {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let value = self.0;
        if value.is_null() || value.is_undefined() {
            visitor.visit_unit()
        } else if let Some(b) = value.as_bool() {
            visitor.visit_bool(b)
        } else if let Some(n) = value.as_f64() {
            let integral = n.trunc() == n;
            if integral && (0.0..U64_END).contains(&n) {
                visitor.visit_u64(n as u64)
            } else if integral && (I64_START..0.0).contains(&n) {
                visitor.visit_i64(n as i64)
            } else {
                visitor.visit_f64(n)
            }
        } else if let Some(s) = value.as_string() {
            visitor.visit_string(s)
        } else if Array::is_array(&value) {
            visitor.visit_seq(Items::new(value.unchecked_into()))
        } else if value.is_object() {
            visitor.visit_map(Entries {
                pairs: Items::new(Object::entries(value.unchecked_ref())),
                value: None,
            })
        } else {
            Err(de::Error::custom("a value JSON cannot hold"))
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// Enums are unit variants, written as their name.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0.as_string() {
            Some(name) => visitor.visit_enum(name.into_deserializer()),
            None => Err(de::Error::custom("expected a variant name")),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// The items of an array, in order; what is left of them.
struct Items {
    items: Array,
    len: u32,
    next: u32,
}

impl Items {
    fn new(items: Array) -> Self {
        Self {
            len: items.length(),
            items,
            next: 0,
        }
    }

    /// The next item, if any.
    fn next(&mut self) -> Option<JsValue> {
        (self.next < self.len).then(|| {
            self.next += 1;
            self.items.get(self.next - 1)
        })
    }

    fn remaining(&self) -> Option<usize> {
        Some((self.len - self.next) as usize)
    }
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.next()
            .map(|item| seed.deserialize(Deserializer(item)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        self.remaining()
    }
}

/// The entries of an object: its `[key, value]` pairs (`Object.entries`), in order.
struct Entries {
    pairs: Items,
    /// The value of the key just read.
    value: Option<JsValue>,
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(pair) = self.pairs.next() else {
            return Ok(None);
        };
        let pair: Array = pair.unchecked_into();
        self.value = Some(pair.get(1));
        seed.deserialize(Deserializer(pair.get(0))).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self.value.take().unwrap_or(JsValue::UNDEFINED);
        seed.deserialize(Deserializer(value))
    }

    fn size_hint(&self) -> Option<usize> {
        self.pairs.remaining()
    }
}
