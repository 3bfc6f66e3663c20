//===- LoweringUtils.h - helpers shared by the cotan lowerings --*- C++ -*-===//
#ifndef COTAN_LIB_CONVERSION_COTANTOLINALG_LOWERINGUTILS_H
#define COTAN_LIB_CONVERSION_COTANTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "cotan/IR/CotanOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::cotan {

/// An uninitialized tensor of `type`, with one of `dynamicSizes` per `?`.
inline Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                         ValueRange dynamicSizes = {}) {
  return tensor::EmptyOp::create(b, loc, type, dynamicSizes);
}

/// The `?` sizes of `op`'s single result, through its
/// ReifyRankedShapedTypeOpInterface (none when the shape is static).
SmallVector<Value> resultDynamicSizes(OpBuilder &b, Operation *op);

/// An uninitialized tensor for `op`'s single result, of `type` (its
/// storage type, or its shape with an accumulator element type).
inline Value emptyResult(OpBuilder &b, Operation *op, RankedTensorType type) {
  return emptyTensor(b, op->getLoc(), type, resultDynamicSizes(b, op));
}

/// A tensor of `type` filled with the scalar `value`.
inline Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                          Value value, ValueRange dynamicSizes = {}) {
  Value empty = emptyTensor(b, loc, type, dynamicSizes);
  return linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{empty})
      ->getResult(0);
}

/// f16 and bf16 compute in f32 on the CPU and round back, as XLA does.
inline bool isHalf(Type type) { return type.isF16() || type.isBF16(); }

/// Widens an f16/bf16 scalar to f32; other values pass through.
inline Value upcastHalf(OpBuilder &b, Location loc, Value value) {
  if (!isHalf(value.getType()))
    return value;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), value);
}

/// The lowered (storage) type of a cotan tensor type: i1 elements become i8.
inline RankedTensorType storageType(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  if (!tensor.getElementType().isInteger(1))
    return tensor;
  return tensor.clone(IntegerType::get(type.getContext(), 8));
}

/// A stored scalar (i8 for booleans) as a value of `logical` type.
inline Value toLogical(OpBuilder &b, Location loc, Value stored,
                       Type logical) {
  if (stored.getType() == logical)
    return stored;
  return arith::TruncIOp::create(b, loc, logical, stored);
}

/// A logical scalar (i1 for booleans) as its stored value.
inline Value toStorage(OpBuilder &b, Location loc, Value logical) {
  if (!logical.getType().isInteger(1))
    return logical;
  return arith::ExtUIOp::create(b, loc, b.getI8Type(), logical);
}

/// Converts a scalar between any two cotan element types with the semantics
/// of cotan.convert.
Value convertScalar(OpBuilder &b, Location loc, Value value, Type to);

/// The identity of max (largest=false) or min (largest=true) reductions:
/// -inf/+inf for floats, the extreme integers, false/true for i1.
Value extremeValue(OpBuilder &b, Location loc, Type type, bool largest);

/// A linalg.generic accumulating `lhs * rhs` into a zero-filled tensor of
/// `accType` (whose `?` sizes are `dynamicSizes`) over the loops that `maps`
/// (lhs, rhs, accumulator) and `iterators` describe; f16/bf16 operands
/// multiply in f32, integers in their own type.
Value multiplyAccumulate(OpBuilder &b, Location loc, Value lhs, Value rhs,
                         RankedTensorType accType, ValueRange dynamicSizes,
                         ArrayRef<AffineMap> maps,
                         ArrayRef<utils::IteratorType> iterators);

/// Applies `convertScalar` elementwise to a whole (non-boolean) tensor.
Value convertTensor(OpBuilder &b, Location loc, Value tensor, Type element);

} // namespace mlir::cotan

#endif // COTAN_LIB_CONVERSION_COTANTOLINALG_LOWERINGUTILS_H
