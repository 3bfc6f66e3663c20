//===- DotGeneralToLinalg.cpp - dot_general to linalg.generic -------------===//
//
// Loops are ordered batch, lhs free, contracting, rhs free: with the rhs
// free dimensions innermost, the inner loop walks the rhs and the result
// contiguously (row-major), which LLVM vectorizes; with the contraction
// innermost it would stride down rhs columns. f16/bf16 accumulate in f32.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

struct DotGeneralToGeneric : OpConversionPattern<DotGeneralOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DotGeneralOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> lhsBatch = op.getLhsBatchingDimensions();
    ArrayRef<int64_t> rhsBatch = op.getRhsBatchingDimensions();
    ArrayRef<int64_t> lhsContract = op.getLhsContractingDimensions();
    ArrayRef<int64_t> rhsContract = op.getRhsContractingDimensions();
    MLIRContext *context = rewriter.getContext();

    int64_t numBatch = lhsBatch.size();
    int64_t numContract = lhsContract.size();
    int64_t lhsFree = lhsType.getRank() - numBatch - numContract;
    int64_t rhsFree = rhsType.getRank() - numBatch - numContract;
    int64_t contractStart = numBatch + lhsFree;
    int64_t rhsFreeStart = contractStart + numContract;
    int64_t numLoops = rhsFreeStart + rhsFree;

    // Map operand dimensions to loops.
    auto operandMap = [&](RankedTensorType type, ArrayRef<int64_t> batch,
                          ArrayRef<int64_t> contract, int64_t freeStart) {
      SmallVector<AffineExpr> exprs;
      int64_t nextFree = freeStart;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        const auto *b = llvm::find(batch, d);
        const auto *c = llvm::find(contract, d);
        int64_t loop = b != batch.end()      ? b - batch.begin()
                       : c != contract.end() ? contractStart + (c - contract.begin())
                                             : nextFree++;
        exprs.push_back(getAffineDimExpr(loop, context));
      }
      return AffineMap::get(numLoops, 0, exprs, context);
    };
    SmallVector<AffineExpr> resultExprs;
    SmallVector<utils::IteratorType> iterators(numLoops,
                                               utils::IteratorType::parallel);
    for (int64_t d = 0; d < numLoops; ++d) {
      if (d >= contractStart && d < rhsFreeStart)
        iterators[d] = utils::IteratorType::reduction;
      else
        resultExprs.push_back(getAffineDimExpr(d, context));
    }
    SmallVector<AffineMap> maps = {
        operandMap(lhsType, lhsBatch, lhsContract, numBatch),
        operandMap(rhsType, rhsBatch, rhsContract, rhsFreeStart),
        AffineMap::get(numLoops, 0, resultExprs, context)};

    Type element = resultType.getElementType();
    Type accElement = isHalf(element) ? rewriter.getF32Type() : element;
    auto accType = resultType.clone(accElement);
    Location loc = op.getLoc();
    Value init = filledTensor(
        rewriter, loc, accType,
        arith::ConstantOp::create(rewriter, loc,
                                  rewriter.getZeroAttr(accElement)),
        resultDynamicSizes(rewriter, op));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{accType},
        ValueRange{adaptor.getLhs(), adaptor.getRhs()}, ValueRange{init}, maps,
        iterators, [&](OpBuilder &b, Location nloc, ValueRange args) {
          Value x = upcastHalf(b, nloc, args[0]);
          Value y = upcastHalf(b, nloc, args[1]);
          Value sum;
          if (isa<FloatType>(accElement))
            sum = arith::AddFOp::create(b, nloc, args[2],
                                        arith::MulFOp::create(b, nloc, x, y));
          else
            sum = arith::AddIOp::create(b, nloc, args[2],
                                        arith::MulIOp::create(b, nloc, x, y));
          linalg::YieldOp::create(b, nloc, sum);
        });
    rewriter.replaceOp(
        op, convertTensor(rewriter, loc, generic->getResult(0), element));
    return success();
  }
};

} // namespace

void mlir::cotan::populateCotanDotGeneralToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<DotGeneralToGeneric>(converter, patterns.getContext());
}
