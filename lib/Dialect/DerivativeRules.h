//===- DerivativeRules.h - helpers for the ops' derivative rules -*- C++ -*-===//
//
// Rules work with null Values standing for zero (co)tangents; these helpers
// keep the null cases out of each rule.
//
//===----------------------------------------------------------------------===//
#ifndef COTAN_LIB_DIALECT_DERIVATIVERULES_H
#define COTAN_LIB_DIALECT_DERIVATIVERULES_H

#include "cotan/IR/CotanOps.h"

namespace mlir::cotan {

/// A constant tensor of `type` (static) filled with `value`.
Value splatLike(OpBuilder &b, Location loc, Type type, double value);
/// `value` itself, or zeros of `like`'s type when it is null.
Value orZeros(OpBuilder &b, Location loc, Value value, Value like);
/// a + b, where a null operand is a zero (null + null is null).
Value addOrNull(OpBuilder &b, Location loc, Value lhs, Value rhs);
/// -a, null for null.
Value negOrNull(OpBuilder &b, Location loc, Value value);
/// a * b for a non-null factor `b`; null when `a` is null.
Value mulOrNull(OpBuilder &b, Location loc, Value a, Value factor);
/// True if all values are null.
bool allNull(ArrayRef<Value> values);

/// Broadcasts `value`, the result of reducing `reduced` over `dims`, back to
/// the shape of `reduced`.
Value broadcastBack(OpBuilder &b, Location loc, Value value, Value reduced,
                    ArrayRef<int64_t> dims);

} // namespace mlir::cotan

#endif // COTAN_LIB_DIALECT_DERIVATIVERULES_H
