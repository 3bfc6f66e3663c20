//===- ElementwiseOps.cpp - elementwise family: rules and folders ---------===//
//
// Unary and binary arithmetic, compare, select and convert. Result types of
// the arithmetic ops follow from SameOperandsAndResultType; what is here are
// the shape rules that need code and the folders (identities such as x+0 and
// constant folding of small constants).
//
//===----------------------------------------------------------------------===//

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
