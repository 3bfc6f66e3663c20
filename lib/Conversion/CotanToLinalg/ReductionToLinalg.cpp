//===- ReductionToLinalg.cpp - reductions to linalg.reduce/generic --------===//
//
// reduce_* become linalg.reduce over an init filled with the combiner's
// identity (f16/bf16 accumulate in f32). argmax/argmin become a generic
// with two outputs, the running extreme and its index.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

enum class Combiner { Sum, Prod, Max, Min };

Value identityOf(OpBuilder &b, Location loc, Combiner combiner, Type type) {
  switch (combiner) {
  case Combiner::Sum:
    return arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
  case Combiner::Prod:
    return arith::ConstantOp::create(
        b, loc,
        isa<FloatType>(type) ? TypedAttr(b.getFloatAttr(type, 1.0))
                             : TypedAttr(b.getIntegerAttr(type, 1)));
  case Combiner::Max:
    return extremeValue(b, loc, type, /*largest=*/false);
  case Combiner::Min:
    return extremeValue(b, loc, type, /*largest=*/true);
  }
  llvm_unreachable("unknown combiner");
}

Value combine(OpBuilder &b, Location loc, Combiner combiner, Value x,
              Value acc) {
  bool isFloat = isa<FloatType>(x.getType());
  bool isBool = x.getType().isInteger(1);
  switch (combiner) {
  case Combiner::Sum:
    // reassoc lets LLVM vectorize the sum (partial sums per lane); the
    // order of additions is unspecified, as in NumPy's pairwise sum.
    return isFloat ? Value(arith::AddFOp::create(b, loc, x, acc,
                                                 arith::FastMathFlags::reassoc))
                   : Value(arith::AddIOp::create(b, loc, x, acc));
  case Combiner::Prod:
    return isFloat ? Value(arith::MulFOp::create(b, loc, x, acc))
                   : Value(arith::MulIOp::create(b, loc, x, acc));
  case Combiner::Max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, x, acc);
    return isBool ? Value(arith::OrIOp::create(b, loc, x, acc))
                  : Value(arith::MaxSIOp::create(b, loc, x, acc));
  case Combiner::Min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, x, acc);
    return isBool ? Value(arith::AndIOp::create(b, loc, x, acc))
                  : Value(arith::MinSIOp::create(b, loc, x, acc));
  }
  llvm_unreachable("unknown combiner");
}

template <typename OpTy, Combiner kCombiner>
struct ReduceToLinalg : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    Type accElement = isHalf(element) ? rewriter.getF32Type() : element;
    auto accType = storageType(resultType.clone(accElement));
    Location loc = op.getLoc();
    Value identity = identityOf(rewriter, loc, kCombiner, accElement);
    Value init = filledTensor(rewriter, loc, accType,
                              toStorage(rewriter, loc, identity),
                              resultDynamicSizes(rewriter, op));
    auto reduce = linalg::ReduceOp::create(
        rewriter, loc, ValueRange{adaptor.getOperand()}, ValueRange{init},
        op.getDimensions(), [&](OpBuilder &b, Location nloc, ValueRange args) {
          Value x = upcastHalf(b, nloc, toLogical(b, nloc, args[0], element));
          Value acc = toLogical(b, nloc, args[1], accElement);
          linalg::YieldOp::create(
              b, nloc, toStorage(b, nloc, combine(b, nloc, kCombiner, x, acc)));
        });
    Value result = reduce->getResult(0);
    if (accElement != element)
      result = convertTensor(rewriter, loc, result, element);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Keeps the first index of the extreme; a NaN beats any number and the
/// first NaN wins, as in NumPy.
template <typename OpTy, bool kLargest>
struct ArgReduceToGeneric : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto operandType = cast<RankedTensorType>(op.getOperand().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = operandType.getElementType();
    Type valueElement = isHalf(element) ? rewriter.getF32Type() : element;
    Type indexElement = resultType.getElementType();
    Location loc = op.getLoc();
    int64_t rank = operandType.getRank();
    int64_t dim = op.getDimension();

    SmallVector<Value> sizes = resultDynamicSizes(rewriter, op);
    Value values = filledTensor(
        rewriter, loc, resultType.clone(valueElement),
        extremeValue(rewriter, loc, valueElement, /*largest=*/!kLargest), sizes);
    Value indices = filledTensor(
        rewriter, loc, resultType,
        arith::ConstantOp::create(rewriter, loc,
                                  rewriter.getZeroAttr(indexElement)),
        sizes);
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t d = 0; d < rank; ++d) {
      iterators.push_back(d == dim ? utils::IteratorType::reduction
                                   : utils::IteratorType::parallel);
      if (d != dim)
        outExprs.push_back(rewriter.getAffineDimExpr(d));
    }
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, rewriter.getContext());
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank),
                                   outMap, outMap};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{values.getType(), resultType},
        ValueRange{adaptor.getOperand()}, ValueRange{values, indices}, maps,
        iterators, [&](OpBuilder &b, Location nloc, ValueRange args) {
          Value x = upcastHalf(b, nloc, args[0]);
          Value best = args[1];
          Value better;
          if (isa<FloatType>(x.getType())) {
            better = arith::CmpFOp::create(
                b, nloc,
                kLargest ? arith::CmpFPredicate::OGT
                         : arith::CmpFPredicate::OLT,
                x, best);
            Value xIsNaN = arith::CmpFOp::create(
                b, nloc, arith::CmpFPredicate::UNO, x, x);
            Value bestIsNum = arith::CmpFOp::create(
                b, nloc, arith::CmpFPredicate::ORD, best, best);
            better = arith::OrIOp::create(
                b, nloc, better,
                arith::AndIOp::create(b, nloc, xIsNaN, bestIsNum));
          } else {
            better = arith::CmpIOp::create(
                b, nloc,
                kLargest ? arith::CmpIPredicate::sgt
                         : arith::CmpIPredicate::slt,
                x, best);
          }
          Value index = arith::IndexCastOp::create(
              b, nloc, indexElement, linalg::IndexOp::create(b, nloc, dim));
          linalg::YieldOp::create(
              b, nloc,
              ValueRange{arith::SelectOp::create(b, nloc, better, x, best),
                         arith::SelectOp::create(b, nloc, better, index,
                                                 args[2])});
        });
    rewriter.replaceOp(op, generic->getResult(1));
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanReductionToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ReduceToLinalg<ReduceSumOp, Combiner::Sum>,
               ReduceToLinalg<ReduceProdOp, Combiner::Prod>,
               ReduceToLinalg<ReduceMaxOp, Combiner::Max>,
               ReduceToLinalg<ReduceMinOp, Combiner::Min>,
               ArgReduceToGeneric<ArgMaxOp, /*kLargest=*/true>,
               ArgReduceToGeneric<ArgMinOp, /*kLargest=*/false>>(
      converter, patterns.getContext());
}
