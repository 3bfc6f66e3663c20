//===- ElementwiseOps.cpp - elementwise family: rules and folders ---------===//
//
// Unary and binary arithmetic, compare, select and convert. Result types of
// the arithmetic ops follow from SameOperandsAndResultType; what is here are
// the shape rules that need code and the folders (identities such as x+0 and
// constant folding of small constants).
//
//===----------------------------------------------------------------------===//

#include "DerivativeRules.h"
#include "FoldUtils.h"
#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// Folds a binary op over two small constants, picking the float or integer
/// calculation from the result element type.
template <typename FloatFn, typename IntFn>
OpFoldResult foldConstantBinary(ArrayRef<Attribute> operands, Type resultType,
                                FloatFn floatFn, IntFn intFn) {
  if (!isFoldableConstant(operands[0]) || !isFoldableConstant(operands[1]))
    return {};
  if (isa<FloatType>(getElementTypeOrSelf(resultType)))
    return constFoldBinaryOp<FloatAttr, APFloat, void>(operands, resultType,
                                                       floatFn);
  return constFoldBinaryOp<IntegerAttr, APInt, void>(operands, resultType,
                                                     intFn);
}

/// `op(op(x)) -> x` for involutions such as neg and not.
template <typename OpTy>
Value foldInvolution(OpTy op) {
  if (auto inner = op.getOperand().template getDefiningOp<OpTy>())
    return inner.getOperand();
  return {};
}

} // namespace

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (Value x = foldInvolution(*this))
    return x;
  if (!isFoldableConstant(adaptor.getOperand()))
    return {};
  if (isa<FloatType>(getElementTypeOrSelf(getType())))
    return constFoldUnaryOp<FloatAttr, APFloat, void>(
        adaptor.getOperands(), getType(), [](const APFloat &a) { return -a; });
  return constFoldUnaryOp<IntegerAttr, APInt, void>(
      adaptor.getOperands(), getType(), [](const APInt &a) { return -a; });
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  if (Value x = foldInvolution(*this))
    return x;
  if (!isFoldableConstant(adaptor.getOperand()))
    return {};
  return constFoldUnaryOp<IntegerAttr, APInt, void>(
      adaptor.getOperands(), getType(), [](const APInt &a) { return ~a; });
}

//===----------------------------------------------------------------------===//
// Binary
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 0))
    return getLhs();
  if (isSplatOf(adaptor.getLhs(), 0))
    return getRhs();
  return foldConstantBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) { return a + b; },
      [](const APInt &a, const APInt &b) { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 0))
    return getLhs();
  return foldConstantBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) { return a - b; },
      [](const APInt &a, const APInt &b) { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    return getLhs();
  if (isSplatOf(adaptor.getLhs(), 1))
    return getRhs();
  return foldConstantBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) { return a * b; },
      [](const APInt &a, const APInt &b) { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    return getLhs();
  // Integer division by a zero constant is left for run time to define.
  if (!isa<FloatType>(getElementTypeOrSelf(getType())))
    return {};
  return foldConstantBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) { return a / b; },
      [](const APInt &a, const APInt &) { return a; });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldConstantBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) { return llvm::maximum(a, b); },
      [](const APInt &a, const APInt &b) { return llvm::APIntOps::smax(a, b); });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldConstantBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) { return llvm::minimum(a, b); },
      [](const APInt &a, const APInt &b) { return llvm::APIntOps::smin(a, b); });
}

//===----------------------------------------------------------------------===//
// Compare, select, convert
//===----------------------------------------------------------------------===//

LogicalResult CompareOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto type = dyn_cast<RankedTensorType>(adaptor.getLhs().getType());
  if (!type)
    return emitOptionalError(location, "(compare_c1) operands must be ranked "
                                       "tensors");
  inferred.push_back(type.clone(IntegerType::get(context, 1)));
  return success();
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto pred = dyn_cast<ShapedType>(adaptor.getPred().getType());
  auto value = dyn_cast<ShapedType>(adaptor.getOnTrue().getType());
  if (!pred || !value || !pred.hasRank() || !value.hasRank())
    return emitOptionalError(location, "(select_c1) operands must be ranked "
                                       "tensors");
  if (pred.getShape() != value.getShape())
    return emitOptionalError(
        location, "(select_c2) predicate shape ", pred,
        " does not match the shape of the selected values ", value);
  inferred.push_back(value);
  return success();
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getOnTrue() == getOnFalse())
    return getOnTrue();
  if (auto pred = dyn_cast_if_present<SplatElementsAttr>(adaptor.getPred()))
    return pred.getSplatValue<bool>() ? getOnTrue() : getOnFalse();
  return {};
}

OpFoldResult ConvertOp::fold(FoldAdaptor) {
  if (getOperand().getType() == getType())
    return getOperand();
  return {};
}

LogicalResult BitcastConvertOp::verify() {
  Type from = getElementTypeOrSelf(getOperand().getType());
  Type to = getElementTypeOrSelf(getType());
  if (from.getIntOrFloatBitWidth() != to.getIntOrFloatBitWidth())
    return emitOpError("(bitcast_convert_c1) cannot reinterpret ")
           << from << " as " << to << ": their bit widths differ";
  return success();
}

//===----------------------------------------------------------------------===//
// Derivative rules
//===----------------------------------------------------------------------===//

namespace {
Value one(OpBuilder &b, Location loc, Value like) {
  return splatLike(b, loc, like, 1.0);
}

/// Tangent of a binary op from its partial derivatives, which its VJP
/// yields when pulled back from a cotangent of ones.
template <typename OpT>
SmallVector<Value> jvpFromPartials(OpT op, OpBuilder &b,
                                   ArrayRef<Value> tangents) {
  if (allNull(tangents))
    return {Value()};
  Location loc = op.getLoc();
  SmallVector<Value> partials = op.vjp(b, {one(b, loc, op.getResult())});
  return {addOrNull(b, loc, mulOrNull(b, loc, tangents[0], partials[0]),
                    mulOrNull(b, loc, tangents[1], partials[1]))};
}
} // namespace

// f'(x) of the smooth unary ops, in terms of x and y = f(x).
Value ExpOp::derivative(OpBuilder &) { return getResult(); }
Value LogOp::derivative(OpBuilder &b) {
  return DivOp::create(b, getLoc(), one(b, getLoc(), getOperand()),
                       getOperand());
}
Value Log1pOp::derivative(OpBuilder &b) {
  Location loc = getLoc();
  Value x = getOperand();
  return DivOp::create(b, loc, one(b, loc, x),
                       AddOp::create(b, loc, one(b, loc, x), x));
}
Value Expm1Op::derivative(OpBuilder &b) {
  return AddOp::create(b, getLoc(), getResult(), one(b, getLoc(), getResult()));
}
Value TanhOp::derivative(OpBuilder &b) {
  Location loc = getLoc();
  Value y = getResult();
  return SubOp::create(b, loc, one(b, loc, y), MulOp::create(b, loc, y, y));
}
Value LogisticOp::derivative(OpBuilder &b) {
  Location loc = getLoc();
  Value y = getResult();
  return MulOp::create(b, loc, y, SubOp::create(b, loc, one(b, loc, y), y));
}
/// d/dx erf(x) = 2/sqrt(pi) e^(-x^2); erfc's is its negation.
static Value erfDerivative(OpBuilder &b, Location loc, Value x, double sign) {
  Value gauss =
      ExpOp::create(b, loc, NegOp::create(b, loc, MulOp::create(b, loc, x, x)));
  return MulOp::create(
      b, loc, splatLike(b, loc, x, sign * 1.1283791670955126), gauss);
}
Value ErfOp::derivative(OpBuilder &b) {
  return erfDerivative(b, getLoc(), getOperand(), 1.0);
}
Value ErfcOp::derivative(OpBuilder &b) {
  return erfDerivative(b, getLoc(), getOperand(), -1.0);
}
Value SqrtOp::derivative(OpBuilder &b) {
  Location loc = getLoc();
  return DivOp::create(b, loc, splatLike(b, loc, getResult(), 0.5), getResult());
}
Value RsqrtOp::derivative(OpBuilder &b) {
  // d/dx x^(-1/2) = -1/2 * x^(-1/2) / x.
  Location loc = getLoc();
  return DivOp::create(
      b, loc,
      MulOp::create(b, loc, splatLike(b, loc, getResult(), -0.5), getResult()),
      getOperand());
}
Value SinOp::derivative(OpBuilder &b) {
  return CosOp::create(b, getLoc(), getOperand());
}
Value CosOp::derivative(OpBuilder &b) {
  return NegOp::create(b, getLoc(), SinOp::create(b, getLoc(), getOperand()));
}

SmallVector<Value> NegOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  return {negOrNull(b, getLoc(), tangents[0])};
}
SmallVector<Value> NegOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  return {negOrNull(b, getLoc(), cotangents[0])};
}

SmallVector<Value> AbsOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  return {scaleByDerivative(b, getLoc(), tangents[0], [&] {
    return SignOp::create(b, getLoc(), getOperand());
  })};
}
SmallVector<Value> AbsOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  return jvp(b, cotangents);
}

SmallVector<Value> AddOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  return {addOrNull(b, getLoc(), tangents[0], tangents[1])};
}
SmallVector<Value> AddOp::vjp(OpBuilder &, ArrayRef<Value> cotangents) {
  return {cotangents[0], cotangents[0]};
}

SmallVector<Value> SubOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  return {addOrNull(b, getLoc(), tangents[0],
                    negOrNull(b, getLoc(), tangents[1]))};
}
SmallVector<Value> SubOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  return {cotangents[0], negOrNull(b, getLoc(), cotangents[0])};
}

SmallVector<Value> MulOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  Location loc = getLoc();
  return {addOrNull(b, loc, mulOrNull(b, loc, tangents[0], getRhs()),
                    mulOrNull(b, loc, tangents[1], getLhs()))};
}
SmallVector<Value> MulOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Location loc = getLoc();
  return {mulOrNull(b, loc, cotangents[0], getRhs()),
          mulOrNull(b, loc, cotangents[0], getLhs())};
}

// y = a / b: dy = da / b - y * db / b.
SmallVector<Value> DivOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  Location loc = getLoc();
  Value numerator = addOrNull(
      b, loc, tangents[0],
      negOrNull(b, loc, mulOrNull(b, loc, tangents[1], getResult())));
  return {numerator ? Value(DivOp::create(b, loc, numerator, getRhs()))
                    : Value()};
}
SmallVector<Value> DivOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Location loc = getLoc();
  Value ct = cotangents[0];
  if (!ct)
    return {Value(), Value()};
  Value ctOverB = DivOp::create(b, loc, ct, getRhs());
  return {ctOverB,
          NegOp::create(b, loc, MulOp::create(b, loc, ctOverB, getResult()))};
}

// r = a - b * trunc(a / b): dr = da - trunc(a / b) * db.
SmallVector<Value> RemOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  SmallVector<Value> weights = vjp(b, {one(b, getLoc(), getResult())});
  Location loc = getLoc();
  return {addOrNull(b, loc, tangents[0], mulOrNull(b, loc, tangents[1], weights[1]))};
}
SmallVector<Value> RemOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Location loc = getLoc();
  Value ct = cotangents[0];
  if (!ct)
    return {Value(), Value()};
  Value q = DivOp::create(b, loc, getLhs(), getRhs());
  Value truncated = MulOp::create(
      b, loc, SignOp::create(b, loc, q),
      FloorOp::create(b, loc, AbsOp::create(b, loc, q)));
  return {ct, NegOp::create(b, loc, MulOp::create(b, loc, ct, truncated))};
}

// y = a^p: dy = p * a^(p-1) * da + y * log(a) * dp, with log(0) read as 0
// so that a zero base with a constant exponent stays finite.
SmallVector<Value> PowOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Location loc = getLoc();
  Value ct = cotangents[0];
  if (!ct)
    return {Value(), Value()};
  Value a = getLhs(), p = getRhs(), y = getResult();
  Value pMinusOne = SubOp::create(b, loc, p, one(b, loc, p));
  Value da = MulOp::create(b, loc, p, PowOp::create(b, loc, a, pMinusOne));
  Value zero = splatLike(b, loc, a, 0.0);
  Value isZero = CompareOp::create(b, loc, ComparisonDirection::EQ, a, zero);
  Value safeLog = SelectOp::create(b, loc, isZero, zero,
                                   LogOp::create(b, loc, a));
  Value dp = MulOp::create(b, loc, y, safeLog);
  return {MulOp::create(b, loc, ct, da), MulOp::create(b, loc, ct, dp)};
}
SmallVector<Value> PowOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  return jvpFromPartials(*this, b, tangents);
}

namespace {
/// Weights of the operands of max (largest) or min: 1 for the strictly
/// chosen side, 1/2 each on ties (as JAX).
std::pair<Value, Value> extremeWeights(OpBuilder &b, Location loc, Value lhs,
                                       Value rhs, bool largest) {
  auto direction = largest ? ComparisonDirection::GT : ComparisonDirection::LT;
  Value lhsWins = CompareOp::create(b, loc, direction, lhs, rhs);
  Value rhsWins = CompareOp::create(b, loc, direction, rhs, lhs);
  Value half = splatLike(b, loc, lhs, 0.5);
  Value oneV = splatLike(b, loc, lhs, 1.0);
  Value zero = splatLike(b, loc, lhs, 0.0);
  Value lhsWeight = SelectOp::create(
      b, loc, lhsWins, oneV, SelectOp::create(b, loc, rhsWins, zero, half));
  Value rhsWeight = SubOp::create(b, loc, oneV, lhsWeight);
  return {lhsWeight, rhsWeight};
}

template <typename OpTy>
SmallVector<Value> extremeJvp(OpTy op, OpBuilder &b, ArrayRef<Value> tangents,
                              bool largest) {
  if (allNull(tangents))
    return {Value()};
  auto [wl, wr] = extremeWeights(b, op.getLoc(), op.getLhs(), op.getRhs(), largest);
  Location loc = op.getLoc();
  return {addOrNull(b, loc, mulOrNull(b, loc, tangents[0], wl),
                    mulOrNull(b, loc, tangents[1], wr))};
}

template <typename OpTy>
SmallVector<Value> extremeVjp(OpTy op, OpBuilder &b, ArrayRef<Value> cotangents,
                              bool largest) {
  if (!cotangents[0])
    return {Value(), Value()};
  auto [wl, wr] = extremeWeights(b, op.getLoc(), op.getLhs(), op.getRhs(), largest);
  Location loc = op.getLoc();
  return {MulOp::create(b, loc, cotangents[0], wl),
          MulOp::create(b, loc, cotangents[0], wr)};
}
} // namespace

SmallVector<Value> MaxOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  return extremeJvp(*this, b, tangents, /*largest=*/true);
}
SmallVector<Value> MaxOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  return extremeVjp(*this, b, cotangents, /*largest=*/true);
}
SmallVector<Value> MinOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  return extremeJvp(*this, b, tangents, /*largest=*/false);
}
SmallVector<Value> MinOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  return extremeVjp(*this, b, cotangents, /*largest=*/false);
}

// atan2(a, b): d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2).
SmallVector<Value> Atan2Op::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Location loc = getLoc();
  Value ct = cotangents[0];
  if (!ct)
    return {Value(), Value()};
  Value x = getLhs(), y = getRhs();
  Value norm = AddOp::create(b, loc, MulOp::create(b, loc, x, x),
                             MulOp::create(b, loc, y, y));
  Value scaled = DivOp::create(b, loc, ct, norm);
  return {MulOp::create(b, loc, scaled, y),
          NegOp::create(b, loc, MulOp::create(b, loc, scaled, x))};
}
SmallVector<Value> Atan2Op::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  return jvpFromPartials(*this, b, tangents);
}

SmallVector<Value> SelectOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (!tangents[1] && !tangents[2])
    return {Value()};
  Location loc = getLoc();
  return {SelectOp::create(b, loc, getPred(),
                           orZeros(b, loc, tangents[1], getResult()),
                           orZeros(b, loc, tangents[2], getResult()))};
}
SmallVector<Value> SelectOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Value ct = cotangents[0];
  if (!ct)
    return {Value(), Value(), Value()};
  Location loc = getLoc();
  Value zero = splatLike(b, loc, getResult(), 0.0);
  return {Value(), SelectOp::create(b, loc, getPred(), ct, zero),
          SelectOp::create(b, loc, getPred(), zero, ct)};
}

// Only conversions between float types carry derivatives.
SmallVector<Value> ConvertOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  if (!tangents[0] || !isa<FloatType>(getElementTypeOrSelf(getType())))
    return {Value()};
  return {ConvertOp::create(b, getLoc(), getType(), tangents[0])};
}
SmallVector<Value> ConvertOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Type operandType = getOperand().getType();
  if (!cotangents[0] || !isa<FloatType>(getElementTypeOrSelf(operandType)))
    return {Value()};
  return {ConvertOp::create(b, getLoc(), operandType, cotangents[0])};
}
