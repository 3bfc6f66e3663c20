//===- DerivativeRules.cpp - the derivative-rule interface and helpers ----===//

#include "DerivativeRules.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::cotan;

#include "cotan/Interfaces/DifferentiableOpInterface.cpp.inc"

Value mlir::cotan::splatLike(OpBuilder &b, Location loc, Type type,
                             double value) {
  auto shaped = cast<ShapedType>(type);
  Type element = shaped.getElementType();
  TypedAttr scalar = isa<FloatType>(element)
                         ? TypedAttr(b.getFloatAttr(element, value))
                         : TypedAttr(b.getIntegerAttr(element, int64_t(value)));
  return ConstantOp::create(b, loc, SplatElementsAttr::get(shaped, scalar));
}

Value mlir::cotan::splatLike(OpBuilder &b, Location loc, Value like,
                             double value) {
  auto type = cast<RankedTensorType>(like.getType());
  if (type.hasStaticShape())
    return splatLike(b, loc, type, value);
  Value scalar = splatLike(b, loc, RankedTensorType::get({}, type.getElementType()), value);
  return BroadcastInDimOp::create(b, loc, type, scalar, ArrayRef<int64_t>{},
                                  dynamicSizesOf(b, loc, type, like));
}

Value mlir::cotan::zerosLike(OpBuilder &b, Location loc, Type type) {
  return splatLike(b, loc, type, 0.0);
}

Value mlir::cotan::zerosLike(OpBuilder &b, Location loc, Value like) {
  return splatLike(b, loc, like, 0.0);
}

Value mlir::cotan::orZeros(OpBuilder &b, Location loc, Value value, Value like) {
  return value ? value : zerosLike(b, loc, like);
}

Value mlir::cotan::addOrNull(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  if (!lhs)
    return rhs;
  if (!rhs)
    return lhs;
  return AddOp::create(b, loc, lhs, rhs);
}

Value mlir::cotan::negOrNull(OpBuilder &b, Location loc, Value value) {
  return value ? Value(NegOp::create(b, loc, value)) : Value();
}

Value mlir::cotan::mulOrNull(OpBuilder &b, Location loc, Value a,
                             Value factor) {
  return a ? Value(MulOp::create(b, loc, a, factor)) : Value();
}

bool mlir::cotan::allNull(ArrayRef<Value> values) {
  return llvm::all_of(values, [](Value v) { return !v; });
}

Value mlir::cotan::scaleByDerivative(OpBuilder &b, Location loc, Value seed,
                                     function_ref<Value()> derivative) {
  return seed ? Value(MulOp::create(b, loc, derivative(), seed)) : Value();
}

Value mlir::cotan::broadcastBack(OpBuilder &b, Location loc, Value value,
                                 Value reduced, ArrayRef<int64_t> dims) {
  auto shaped = cast<RankedTensorType>(reduced.getType());
  SmallVector<int64_t> kept;
  for (int64_t d = 0; d < shaped.getRank(); ++d)
    if (!llvm::is_contained(dims, d))
      kept.push_back(d);
  return BroadcastInDimOp::create(b, loc, shaped, value, kept,
                                  dynamicSizesOf(b, loc, shaped, reduced));
}
