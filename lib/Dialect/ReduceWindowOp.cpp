//===- ReduceWindowOp.cpp - pooling: shape, derivative and batching rules -===//
//
// Everything here works on the K window offsets: the result is the
// elementwise combination of K strided slices of the padded operand (one
// per offset in the window), which is also how the op lowers. A cotangent
// flows back through each slice by the inverse scatter: padding it with
// the stride as interior padding puts it back at the slice's positions.
//
//===----------------------------------------------------------------------===//

#include "DerivativeRules.h"
#include "ShapeRules.h"
#include "cotan/IR/CotanOps.h"

#include "mlir/IR/TypeUtilities.h"

#include <limits>

using namespace mlir;
using namespace mlir::cotan;

LogicalResult ReduceWindowOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto type = rankedTensor(location, adaptor.getOperand().getType(), "operand");
  if (failed(type))
    return failure();
  size_t rank = type->getRank();
  for (auto [name, values, minimum] :
       {std::tuple<StringRef, ArrayRef<int64_t>, int64_t>{
            "window_dimensions", adaptor.getWindowDimensions(), 1},
        {"window_strides", adaptor.getWindowStrides(), 1},
        {"padding_low", adaptor.getPaddingLow(), 0},
        {"padding_high", adaptor.getPaddingHigh(), 0}}) {
    if (values.size() != rank)
      return emitOptionalError(location, "(reduce_window_c1) ", name, " has ",
                               values.size(), " entries for rank ", rank);
    if (llvm::any_of(values, [&](int64_t v) { return v < minimum; }))
      return emitOptionalError(location, "(reduce_window_c2) ", name,
                               minimum ? " must be positive" : " must be >= 0",
                               ", got ", formatDims(values));
  }
  SmallVector<int64_t> shape;
  for (size_t i = 0; i < rank; ++i) {
    if (type->isDynamicDim(i)) {
      if (adaptor.getWindowDimensions()[i] != 1 || adaptor.getWindowStrides()[i] != 1 ||
          adaptor.getPaddingLow()[i] != 0 || adaptor.getPaddingHigh()[i] != 0)
        return emitOptionalError(location, "(reduce_window_c4) dynamic dimension ", i,
                                 " needs window 1, stride 1 and no padding");
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t padded = type->getDimSize(i) + adaptor.getPaddingLow()[i] +
                     adaptor.getPaddingHigh()[i];
    int64_t window = adaptor.getWindowDimensions()[i];
    if (padded < window)
      return emitOptionalError(location, "(reduce_window_c3) the window (",
                               window, ") is larger than the padded operand (",
                               padded, ") in dimension ", i);
    shape.push_back((padded - window) / adaptor.getWindowStrides()[i] + 1);
  }
  inferred.push_back(RankedTensorType::get(shape, type->getElementType()));
  return success();
}

Value ReduceWindowOp::identity(OpBuilder &b, Location loc) {
  Type element = getElementTypeOrSelf(getOperand().getType());
  auto scalar = RankedTensorType::get({}, element);
  TypedAttr value;
  bool largest = getKind() == WindowReduction::Min;
  if (getKind() == WindowReduction::Sum) {
    value = b.getZeroAttr(element);
  } else if (auto floatType = dyn_cast<FloatType>(element)) {
    value = b.getFloatAttr(floatType,
                           largest ? std::numeric_limits<double>::infinity()
                                   : -std::numeric_limits<double>::infinity());
  } else {
    unsigned width = element.getIntOrFloatBitWidth();
    value = b.getIntegerAttr(element, largest ? APInt::getSignedMaxValue(width)
                                              : APInt::getSignedMinValue(width));
  }
  return ConstantOp::create(b, loc, DenseElementsAttr::get(scalar, value));
}

SmallVector<Value> ReduceWindowOp::windowSlices(OpBuilder &b, Value operand,
                                                Value padding) {
  Location loc = getLoc();
  auto type = cast<RankedTensorType>(operand.getType());
  int64_t rank = type.getRank();
  Value padded = operand;
  if (llvm::any_of(getPaddingLow(), [](int64_t v) { return v != 0; }) ||
      llvm::any_of(getPaddingHigh(), [](int64_t v) { return v != 0; }))
    padded = PadOp::create(b, loc, operand, padding, getPaddingLow(),
                           getPaddingHigh(), SmallVector<int64_t>(rank, 0));
  ArrayRef<int64_t> window = getWindowDimensions();
  ArrayRef<int64_t> out = cast<RankedTensorType>(getType()).getShape();
  int64_t count = 1;
  for (int64_t w : window)
    count *= w;
  SmallVector<Value> slices;
  for (int64_t offset = 0; offset < count; ++offset) {
    SmallVector<int64_t> start(rank), limit = wholeLimits(type);
    for (int64_t i = rank - 1, rest = offset; i >= 0; --i) {
      start[i] = rest % window[i];
      rest /= window[i];
      if (!type.isDynamicDim(i)) // a dynamic one is taken whole (c4)
        limit[i] = out[i] == 0 ? start[i]
                               : start[i] + (out[i] - 1) * getWindowStrides()[i] + 1;
    }
    slices.push_back(
        SliceOp::create(b, loc, padded, start, limit, getWindowStrides()));
  }
  return slices;
}

namespace {

/// `value`, shaped like one window slice, scattered back to the operand's
/// positions that slice `offset` read (zeros elsewhere), padding removed.
Value scatterSlice(OpBuilder &b, Location loc, ReduceWindowOp op, Value value,
                   int64_t offset) {
  auto operandType = cast<RankedTensorType>(op.getOperand().getType());
  auto valueType = cast<RankedTensorType>(value.getType());
  int64_t rank = operandType.getRank();
  ArrayRef<int64_t> window = op.getWindowDimensions();
  SmallVector<int64_t> low(rank), high(rank), interior(rank), start(rank),
      limit = wholeLimits(operandType), strides(rank, 1);
  for (int64_t i = rank - 1, rest = offset; i >= 0; --i) {
    int64_t at = rest % window[i];
    rest /= window[i];
    if (operandType.isDynamicDim(i))
      continue; // window 1, stride 1, no padding (c4): nothing to move

    int64_t padded = operandType.getDimSize(i) + op.getPaddingLow()[i] +
                     op.getPaddingHigh()[i];
    int64_t size = valueType.getDimSize(i);
    int64_t stride = op.getWindowStrides()[i];
    int64_t covered = size == 0 ? 0 : (size - 1) * stride + 1;
    low[i] = size == 0 ? 0 : at;
    interior[i] = stride - 1;
    high[i] = padded - low[i] - covered;
    start[i] = op.getPaddingLow()[i];
    limit[i] = start[i] + operandType.getDimSize(i);
  }
  Value zero = zerosLike(b, loc, RankedTensorType::get({}, valueType.getElementType()));
  Value spread = PadOp::create(b, loc, value, zero, low, high, interior);
  return SliceOp::create(b, loc, spread, start, limit, strides);
}

/// For max/min: per window offset, where that slice holds the window's
/// result first (in window order), so exactly one element of each window
/// is chosen.
SmallVector<Value> firstExtremes(OpBuilder &b, Location loc, ReduceWindowOp op,
                                 ArrayRef<Value> slices) {
  Value taken;
  SmallVector<Value> chosen;
  for (Value slice : slices) {
    Value equal = CompareOp::create(b, loc, ComparisonDirection::EQ, slice,
                                    op.getResult());
    chosen.push_back(taken ? Value(AndOp::create(b, loc, equal, NotOp::create(b, loc, taken)))
                           : equal);
    taken = taken ? Value(OrOp::create(b, loc, taken, equal)) : equal;
  }
  return chosen;
}

} // namespace

SmallVector<Value> ReduceWindowOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  Value t = tangents[0];
  if (!t)
    return {Value()};
  Location loc = getLoc();
  if (getKind() == WindowReduction::Sum)
    return {ReduceWindowOp::create(b, loc, t, getKind(), getWindowDimensions(),
                                   getWindowStrides(), getPaddingLow(),
                                   getPaddingHigh())};
  Value zero = zerosLike(b, loc, RankedTensorType::get({}, getElementTypeOrSelf(t.getType())));
  SmallVector<Value> chosen = firstExtremes(b, loc, *this, windowSlices(b, getOperand(), identity(b, loc)));
  SmallVector<Value> tangentSlices = windowSlices(b, t, zero);
  Value sum;
  for (auto [pick, slice] : llvm::zip(chosen, tangentSlices)) {
    Value part = SelectOp::create(b, loc, pick, slice, zerosLike(b, loc, slice));
    sum = sum ? Value(AddOp::create(b, loc, sum, part)) : part;
  }
  return {sum};
}

SmallVector<Value> ReduceWindowOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Value ct = cotangents[0];
  if (!ct)
    return {Value()};
  Location loc = getLoc();
  int64_t count = 1;
  for (int64_t w : getWindowDimensions())
    count *= w;
  SmallVector<Value> chosen;
  if (getKind() != WindowReduction::Sum)
    chosen = firstExtremes(b, loc, *this, windowSlices(b, getOperand(), identity(b, loc)));
  Value grad;
  for (int64_t offset = 0; offset < count; ++offset) {
    Value part = chosen.empty()
                     ? ct
                     : Value(SelectOp::create(b, loc, chosen[offset], ct,
                                              zerosLike(b, loc, ct)));
    Value spread = scatterSlice(b, loc, *this, part, offset);
    grad = grad ? Value(AddOp::create(b, loc, grad, spread)) : spread;
  }
  return {grad};
}

FailureOr<SmallVector<Value>> ReduceWindowOp::batch(OpBuilder &b, ValueRange operands,
                                                    ArrayRef<bool>, BatchSize) {
  auto prepend = [](ArrayRef<int64_t> values, int64_t first) {
    SmallVector<int64_t> out = {first};
    llvm::append_range(out, values);
    return out;
  };
  return SmallVector<Value>{ReduceWindowOp::create(
      b, getLoc(), operands[0], getKind(), prepend(getWindowDimensions(), 1),
      prepend(getWindowStrides(), 1), prepend(getPaddingLow(), 0),
      prepend(getPaddingHigh(), 0))};
}
