//===- Partition.cpp - the cotan-partition pass ---------------------------===//
//
// Sharded functions (jit with in_shardings) become per-process programs
// through MLIR's shard dialect; see the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "cotan/Conversion/Passes.h"
#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/Dialect/Shard/Interfaces/ShardingInterface.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Dialect/Shard/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_PARTITION
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;
using namespace mlir::cotan;

namespace {

constexpr StringLiteral kMesh = "cotan.mesh";
constexpr StringLiteral kSplitAxes = "cotan.split_axes";

/// Per dimension, the mesh axes splitting it (all empty: replicated).
using SplitAxes = SmallVector<shard::GridAxesAttr>;

FailureOr<SplitAxes> splitAxes(Attribute attribute, RankedTensorType type,
                               int64_t meshRank, function_ref<InFlightDiagnostic()> error) {
  SplitAxes axes;
  auto dims = dyn_cast_or_null<ArrayAttr>(attribute);
  if (attribute && !dims)
    return error() << "`" << kSplitAxes << "` must be an array of i64 arrays";
  if (dims && int64_t(dims.size()) > type.getRank())
    return error() << "`" << kSplitAxes << "` has " << dims.size()
                   << " entries for a value of rank " << type.getRank();
  for (Attribute dim : dims ? dims.getValue() : ArrayRef<Attribute>{}) {
    auto list = dyn_cast<DenseI64ArrayAttr>(dim);
    if (!list)
      return error() << "`" << kSplitAxes << "` entries must be i64 arrays";
    SmallVector<int16_t> gridAxes;
    for (int64_t axis : list.asArrayRef()) {
      if (axis < 0 || axis >= meshRank)
        return error() << "mesh axis " << axis << " is out of range for a mesh of rank "
                       << meshRank;
      gridAxes.push_back(int16_t(axis));
    }
    axes.push_back(DenseI16ArrayAttr::get(attribute.getContext(), gridAxes));
  }
  // One entry per dimension: shardings compare unequal to their shorter
  // spellings, and partitioning would reshard between the two.
  axes.resize(type.getRank(), DenseI16ArrayAttr::get(type.getContext(), {}));
  return axes;
}

/// The module's grid for `mesh`, created on first use.
std::string gridFor(ModuleOp module, ArrayRef<int64_t> mesh) {
  std::string name = "cotan_mesh";
  for (auto [i, size] : llvm::enumerate(mesh))
    name += (i ? "x" : "_") + std::to_string(size);
  if (!module.lookupSymbol(name)) {
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    shard::GridOp::create(b, module.getLoc(), name, mesh);
  }
  return name;
}

/// `value` annotated with `axes` on `grid` (for its users, or as produced).
Value annotate(OpBuilder &b, Location loc, Value value, StringRef grid,
               ArrayRef<shard::GridAxesAttr> axes, bool forUsers) {
  Value sharding = shard::ShardingOp::create(b, loc, grid, axes);
  return shard::ShardOp::create(b, loc, value, sharding, forUsers);
}

/// This process's position along `axes` of `mesh`, as an index.
Value position(OpBuilder &b, Location loc, ArrayRef<int64_t> mesh,
               ArrayRef<int64_t> axes) {
  auto scalar = RankedTensorType::get({}, b.getI32Type());
  Value index = AxisIndexOp::create(b, loc, scalar, mesh, axes);
  Value element = tensor::ExtractOp::create(b, loc, index, ValueRange{});
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), element);
}

SmallVector<int64_t> widen(ArrayRef<int16_t> axes) {
  return SmallVector<int64_t>(axes.begin(), axes.end());
}

/// This process's block of `value` split per `axes` on `mesh`.
Value localBlock(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> mesh,
                 ArrayRef<shard::GridAxesAttr> axes) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes, strides(type.getRank(), b.getIndexAttr(1));
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t dim = 0; dim < type.getRank(); ++dim) {
    if (dim < int64_t(axes.size()) && !axes[dim].empty()) {
      int64_t parts = 1;
      for (int16_t axis : axes[dim].asArrayRef())
        parts *= mesh[axis];
      shape[dim] /= parts;
      Value at = position(b, loc, mesh, widen(axes[dim].asArrayRef()));
      offsets[dim] = arith::MulIOp::create(
                         b, loc, at, arith::ConstantIndexOp::create(b, loc, shape[dim]))
                         .getResult();
    }
    sizes.push_back(b.getIndexAttr(shape[dim]));
  }
  return tensor::ExtractSliceOp::create(b, loc, type.clone(shape), value, offsets,
                                        sizes, strides);
}

/// The global value of a block split per `axes` on `mesh` (an all-gather
/// per split dimension).
Value globalValue(OpBuilder &b, Location loc, Value block, ArrayRef<int64_t> mesh,
                  ArrayRef<shard::GridAxesAttr> axes) {
  for (int64_t dim = int64_t(axes.size()) - 1; dim >= 0; --dim)
    if (!axes[dim].empty())
      block = AllGatherOp::create(b, loc, block, dim, mesh, widen(axes[dim].asArrayRef()));
  return block;
}

/// For each group of a reshape's reassociation, the dimension (in the
/// group's side with more dimensions) that carries the data, if all the
/// others have size 1; nullopt if the reshape really regroups data.
std::optional<SmallVector<int64_t>> carriedDims(ArrayRef<ReassociationIndices> groups,
                                                 ArrayRef<int64_t> wideShape) {
  SmallVector<int64_t> carried;
  for (const ReassociationIndices &group : groups) {
    SmallVector<int64_t> wide = llvm::filter_to_vector(
        group, [&](int64_t dim) { return wideShape[dim] != 1; });
    if (wide.size() > 1)
      return std::nullopt;
    carried.push_back(wide.empty() ? group.front() : wide.front());
  }
  return carried;
}

/// A reshape that only adds (`expanding`) or removes unit dimensions, as a
/// linalg.generic copy: the shard dialect has sharding rules for generics
/// but not for tensor.expand_shape/collapse_shape. `wide` is the operand
/// or result with more dimensions, `carried` its data-carrying dimensions.
Value unitReshapeAsGeneric(OpBuilder &b, Location loc, Value source,
                           RankedTensorType resultType, bool expanding,
                           ArrayRef<int64_t> carried) {
  RankedTensorType wide = expanding ? resultType : cast<RankedTensorType>(source.getType());
  int64_t rank = wide.getRank();
  SmallVector<AffineExpr> narrow = llvm::map_to_vector(
      carried, [&](int64_t dim) { return b.getAffineDimExpr(dim); });
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap projected = AffineMap::get(rank, 0, narrow, b.getContext());
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  if (!expanding)  // the unit dimensions the result drops are reduced
    for (int64_t dim = 0; dim < rank; ++dim)
      if (!llvm::is_contained(carried, dim))
        iterators[dim] = utils::IteratorType::reduction;
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(), resultType.getElementType());
  SmallVector<AffineMap> maps = expanding ? SmallVector<AffineMap>{projected, identity}
                                          : SmallVector<AffineMap>{identity, projected};
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{source}, ValueRange{init}, maps, iterators,
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, args[0]);
             })
      ->getResult(0);
}

/// Rewrites the reshapes of `function` that only add or remove unit
/// dimensions (keepdims, x[:, None]) as generics, which partitioning can
/// split; other reshapes stay (and are reported by shard-partition).
void unitReshapesAsGenerics(func::FuncOp function) {
  function.walk([](Operation *op) {
    OpBuilder b(op);
    Value replacement;
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
      if (auto carried = carriedDims(expand.getReassociationIndices(),
                                     expand.getResultType().getShape()))
        replacement = unitReshapeAsGeneric(b, op->getLoc(), expand.getSrc(),
                                           expand.getResultType(), true, *carried);
    } else if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
      if (auto carried = carriedDims(collapse.getReassociationIndices(),
                                     collapse.getSrcType().getShape()))
        replacement = unitReshapeAsGeneric(b, op->getLoc(), collapse.getSrc(),
                                           collapse.getResultType(), false, *carried);
    }
    if (replacement) {
      op->getResult(0).replaceAllUsesWith(replacement);
      op->erase();
    }
  });
}

/// Generic operands read at a constant 0 in a unit dimension (how a
/// broadcast of a size-1 dimension lowers) become operands without that
/// dimension, read through a projected map: the shard dialect's rules for
/// generics take only projected permutations.
void dropConstantUnitIndices(func::FuncOp function) {
  function.walk([](linalg::GenericOp generic) {
    SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
    bool changed = false;
    for (OpOperand *input : generic.getDpsInputOperands()) {
      auto type = dyn_cast<RankedTensorType>(input->get().getType());
      AffineMap map = maps[input->getOperandNumber()];
      if (!type)
        continue;
      SmallVector<int64_t> kept;
      for (auto [position, result] : llvm::enumerate(map.getResults())) {
        auto constant = dyn_cast<AffineConstantExpr>(result);
        if (!(constant && constant.getValue() == 0 && type.getDimSize(position) == 1))
          kept.push_back(position);
      }
      if (kept.size() == size_t(type.getRank()))
        continue;
      OpBuilder b(generic);
      SmallVector<int64_t> shape = llvm::map_to_vector(kept, [&](int64_t d) { return type.getDimSize(d); });
      Value narrowed = unitReshapeAsGeneric(b, generic.getLoc(), input->get(), type.clone(shape),
                                            /*expanding=*/false, kept);
      input->set(narrowed);
      maps[input->getOperandNumber()] = AffineMap::get(
          map.getNumDims(), 0,
          llvm::map_to_vector(kept, [&](int64_t d) { return map.getResult(d); }), map.getContext());
      changed = true;
    }
    if (changed)
      generic.setIndexingMapsAttr(OpBuilder(generic).getAffineMapArrayAttr(maps));
  });
}

/// Moves the non-splat tensor constants of `function` (an iota a one-hot
/// compares with, say) out into new trailing arguments: shard-partition
/// can only rebuild splat constants. Returns their values, which the
/// caller passes in (replicated).
SmallVector<DenseElementsAttr> hoistNonSplatConstants(func::FuncOp function) {
  SmallVector<arith::ConstantOp> constants;
  function.walk([&](arith::ConstantOp constant) {
    auto value = dyn_cast<DenseElementsAttr>(constant.getValue());
    if (value && !value.isSplat())
      constants.push_back(constant);
  });
  SmallVector<DenseElementsAttr> values;
  for (arith::ConstantOp constant : constants) {
    unsigned index = function.getNumArguments();
    (void)function.insertArgument(index, constant.getType(), {}, constant.getLoc());
    constant.getResult().replaceAllUsesWith(function.getArgument(index));
    values.push_back(cast<DenseElementsAttr>(constant.getValue()));
    constant->erase();
  }
  return values;
}

SmallVector<shard::GridAxesAttr> replicatedAxes(Type type) {
  return SmallVector<shard::GridAxesAttr>(cast<RankedTensorType>(type).getRank(),
                                          DenseI16ArrayAttr::get(type.getContext(), {}));
}

bool isReplicated(ArrayRef<shard::GridAxesAttr> axes) {
  return llvm::all_of(axes, [](shard::GridAxesAttr dim) { return dim.empty(); });
}

/// The sharding `value` is annotated with by `shard`, if it is one.
shard::ShardingOp shardingOf(shard::ShardOp shard, bool forUsers) {
  if (!shard || shard.getAnnotateForUsers() != forUsers)
    return nullptr;
  return shard.getSharding().getDefiningOp<shard::ShardingOp>();
}

/// How the loops of an op are split over mesh axes, gathered from the
/// splits of the values it reads and writes (through their indexing maps).
class LoopSplits {
public:
  explicit LoopSplits(unsigned loops) : loops(loops) {}

  /// Records that the value indexed by `map` is split as `axes`. With
  /// `exact`, a whole dimension pins its loop as whole too; otherwise only
  /// split dimensions constrain (a replicated value can be sliced as
  /// needed). False when this contradicts what was recorded, when one mesh
  /// axis would split two loops, or when a split dimension is not a loop.
  bool record(AffineMap map, ArrayRef<shard::GridAxesAttr> axes, bool exact) {
    for (auto [dim, expr] : llvm::enumerate(map.getResults())) {
      ArrayRef<int16_t> split = dim < axes.size() ? axes[dim].asArrayRef() : ArrayRef<int16_t>{};
      auto loop = dyn_cast<AffineDimExpr>(expr);
      if (!loop || loop.getPosition() >= loops.size()) {
        if (!split.empty())
          return false;
        continue;
      }
      if (split.empty() && !exact)
        continue;
      std::optional<SmallVector<int16_t>> &assigned = loops[loop.getPosition()];
      if (assigned && !llvm::equal(*assigned, split))
        return false;
      if (!assigned)
        for (int16_t axis : split)
          if (!used.insert(axis).second)
            return false;
      assigned = SmallVector<int16_t>(split);
    }
    return true;
  }

  /// Whether a loop of one of `iterators`' kinds other than `kind` is split.
  bool splitsOtherThan(ArrayRef<utils::IteratorType> iterators, utils::IteratorType kind) const {
    for (auto [iterator, axes] : llvm::zip(iterators, loops))
      if (iterator != kind && axes && !axes->empty())
        return true;
    return false;
  }

  /// Per loop, the mesh axes splitting it (empty: whole).
  SmallVector<SmallVector<int16_t>> get() const {
    return llvm::map_to_vector(loops, [](const std::optional<SmallVector<int16_t>> &axes) {
      return axes.value_or(SmallVector<int16_t>{});
    });
  }

private:
  SmallVector<std::optional<SmallVector<int16_t>>> loops;
  llvm::SmallDenseSet<int16_t> used;
};

/// Whether each tensor operand of `op` is annotated for it, each tensor
/// result annotated once as produced, and the annotations agree on how
/// each loop is split (no mesh axis splitting two loops): what
/// shard-partition asserts. Propagation leaves ops it found no sharding
/// for, or conflicting ones, short of this.
bool consistentlyAnnotated(Operation &op) {
  auto sharded = dyn_cast<shard::ShardingInterface>(op);
  if (!sharded)
    return false;
  SmallVector<AffineMap> maps = sharded.getIndexingMaps();
  if (maps.size() != op.getNumOperands() + op.getNumResults())
    return false;
  LoopSplits loops(sharded.getLoopIteratorTypes().size());
  auto agrees = [&](shard::ShardingOp sharding, AffineMap map) {
    return sharding && loops.record(map, sharding.getSplitAxes().getAxes(), /*exact=*/true);
  };
  for (OpOperand &operand : op.getOpOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.get().getType());
    if (!type || type.getRank() == 0)
      continue;
    if (!agrees(shardingOf(operand.get().getDefiningOp<shard::ShardOp>(), /*forUsers=*/true),
                maps[operand.getOperandNumber()]))
      return false;
  }
  for (OpResult result : op.getResults()) {
    if (!isa<RankedTensorType>(result.getType()))
      continue;
    if (!result.hasOneUse() ||
        !agrees(shardingOf(dyn_cast<shard::ShardOp>(*result.user_begin()), /*forUsers=*/false),
                maps[op.getNumOperands() + result.getResultNumber()]))
      return false;
  }
  return true;
}


/// The split axes `shard` annotates its value with, one entry per
/// dimension (propagation drops trailing replicated ones).
std::optional<SplitAxes> axesOf(shard::ShardOp shard) {
  auto sharding = shard ? shard.getSharding().getDefiningOp<shard::ShardingOp>() : nullptr;
  if (!sharding)
    return std::nullopt;
  SplitAxes axes(sharding.getSplitAxes().getAxes());
  axes.resize(cast<RankedTensorType>(shard.getType()).getRank(),
              DenseI16ArrayAttr::get(shard.getContext(), {}));
  return axes;
}

/// The sharding all users of `value` ask for, if they agree.
std::optional<SplitAxes> agreedUserAxes(Value value) {
  std::optional<SplitAxes> agreed;
  for (Operation *user : value.getUsers()) {
    auto shard = dyn_cast<shard::ShardOp>(user);
    std::optional<SplitAxes> axes = shard && shard.getAnnotateForUsers() ? axesOf(shard) : std::nullopt;
    if (!axes || (agreed && *agreed != *axes))
      return std::nullopt;
    agreed = axes;
  }
  return agreed;
}

/// How each loop of `op` is split, read off the operands' annotations
/// (whole operands constrain nothing). All loops stay whole when the
/// operands conflict or split a reduction loop.
SmallVector<SmallVector<int16_t>> loopSplitsFromOperands(Operation &op,
                                                         ArrayRef<AffineMap> maps) {
  SmallVector<utils::IteratorType> iterators =
      cast<shard::ShardingInterface>(op).getLoopIteratorTypes();
  LoopSplits loops(iterators.size());
  SmallVector<SmallVector<int16_t>> whole(iterators.size());
  for (OpOperand &operand : op.getOpOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.get().getType());
    if (!type || type.getRank() == 0)
      continue;
    // Values not annotated yet come from ops that take their users' split
    // (see completeAnnotations).
    std::optional<SplitAxes> axes = axesOf(operand.get().getDefiningOp<shard::ShardOp>());
    if (axes && !loops.record(maps[operand.getOperandNumber()], *axes, /*exact=*/false))
      return whole;
  }
  if (loops.splitsOtherThan(iterators, utils::IteratorType::parallel))
    return whole;
  return loops.get();
}

/// The split axes of a value read or written through `map` when the loops
/// are split as `loops`.
SplitAxes axesThrough(AffineMap map, ArrayRef<SmallVector<int16_t>> loops, MLIRContext *context) {
  return llvm::map_to_vector(map.getResults(), [&](AffineExpr expr) -> shard::GridAxesAttr {
    auto loop = dyn_cast<AffineDimExpr>(expr);
    return DenseI16ArrayAttr::get(context, loop ? ArrayRef<int16_t>(loops[loop.getPosition()])
                                                : ArrayRef<int16_t>{});
  });
}

/// How each loop of `op` is split for its results to have the shardings
/// their users agree on; all loops whole if they do not agree.
SmallVector<SmallVector<int16_t>> loopSplitsFromUsers(Operation &op, ArrayRef<AffineMap> maps,
                                                      unsigned loopCount) {
  LoopSplits loops(loopCount);
  for (OpResult result : op.getResults()) {
    std::optional<SplitAxes> axes = agreedUserAxes(result);
    if (!axes || !loops.record(maps[op.getNumOperands() + result.getResultNumber()], *axes,
                               /*exact=*/false))
      return SmallVector<SmallVector<int16_t>>(loopCount);
  }
  return loops.get();
}

/// Annotates `op`'s tensor operands (for it, resharding what was annotated
/// for other users) and results (as produced) for its loops split as
/// `loops`; everything replicated when `maps` is empty.
void annotateSplit(Operation &op, ArrayRef<AffineMap> maps,
                   ArrayRef<SmallVector<int16_t>> loops, StringRef grid) {
  auto target = [&](Value value, unsigned index) {
    return maps.empty() ? replicatedAxes(value.getType())
                        : axesThrough(maps[index], loops, op.getContext());
  };
  OpBuilder b(&op);
  for (OpOperand &operand : op.getOpOperands()) {
    if (!isa<RankedTensorType>(operand.get().getType()))
      continue;
    Value value = operand.get();
    SplitAxes axes = target(value, operand.getOperandNumber());
    auto source = value.getDefiningOp<shard::ShardOp>();
    if (source && source.getAnnotateForUsers()) {
      if (axesOf(source) == axes)
        continue;
      value = shard::ShardOp::create(b, op.getLoc(), value, source.getSharding(),
                                     /*annotate_for_users=*/false);
    }
    operand.set(annotate(b, op.getLoc(), value, grid, axes, /*forUsers=*/true));
  }
  b.setInsertionPointAfter(&op);
  for (OpResult result : op.getResults()) {
    if (!isa<RankedTensorType>(result.getType()))
      continue;
    Value annotated = annotate(b, op.getLoc(), result, grid,
                               target(result, op.getNumOperands() + result.getResultNumber()),
                               /*forUsers=*/false);
    result.replaceAllUsesExcept(annotated, annotated.getDefiningOp());
  }
}

/// shard-partition needs every op consistently annotated; propagation
/// leaves some ops short of that: ops it found no sharding for (in 22.1 an
/// op whose last annotated operand is replicated counts as unsharded), or
/// ops whose operands conflict (`a + b`, a split by rows, b by columns).
/// Such an op is split the way its split operands agree on, over parallel
/// loops only, with its operands resharded to match. An op none of whose
/// inputs is split (tensor.empty, constants, fills, the broadcast of a
/// replicated bias) takes the split its users agree on instead, last user
/// first, since slicing a replicated value costs nothing: an accumulator
/// is then created, or a bias broadcast, only for the process's own rows.
/// What agrees on nothing runs replicated.
void completeAnnotations(func::FuncOp function, StringRef grid) {
  SmallVector<std::pair<Operation *, SmallVector<AffineMap>>> unsplitInputs;
  for (Operation &op : llvm::make_early_inc_range(function.front())) {
    if (isa<shard::ShardDialect>(op.getDialect()) || op.hasTrait<OpTrait::IsTerminator>() ||
        consistentlyAnnotated(op))
      continue;
    auto sharded = dyn_cast<shard::ShardingInterface>(op);
    SmallVector<AffineMap> maps;
    if (sharded && sharded.getIndexingMaps().size() == op.getNumOperands() + op.getNumResults())
      maps = sharded.getIndexingMaps();
    if (maps.empty()) {
      annotateSplit(op, {}, {}, grid);
      continue;
    }
    SmallVector<SmallVector<int16_t>> loops = loopSplitsFromOperands(op, maps);
    if (llvm::all_of(loops, [](ArrayRef<int16_t> axes) { return axes.empty(); })) {
      unsplitInputs.emplace_back(&op, std::move(maps));
      continue;
    }
    annotateSplit(op, maps, loops, grid);
  }
  for (auto &[op, maps] : llvm::reverse(unsplitInputs)) {
    unsigned loopCount = cast<shard::ShardingInterface>(op).getLoopIteratorTypes().size();
    annotateSplit(*op, maps, loopSplitsFromUsers(*op, maps, loopCount), grid);
  }
}

/// shard-partition takes each argument's sharding from its single user, a
/// shard.shard for users. The replicated arguments (left unannotated for
/// propagation) get a replicated one; the uses propagation annotated
/// otherwise reshard from it.
void annotateReplicatedArguments(func::FuncOp function, StringRef grid,
                                 ArrayRef<SplitAxes> argAxes) {
  OpBuilder b = OpBuilder::atBlockBegin(&function.front());
  for (auto [arg, axes] : llvm::zip(function.getArguments(), argAxes)) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() == 0 || !isReplicated(axes))
      continue;
    if (arg.hasOneUse()) {
      auto only = dyn_cast<shard::ShardOp>(*arg.getUsers().begin());
      if (only && only.getAnnotateForUsers() && axesOf(only) == replicatedAxes(type))
        continue;
    }
    Value annotated = annotate(b, arg.getLoc(), arg, grid, replicatedAxes(type),
                               /*forUsers=*/true);
    for (OpOperand &use : llvm::make_early_inc_range(arg.getUses())) {
      if (use.getOwner() == annotated.getDefiningOp())
        continue;
      auto user = dyn_cast<shard::ShardOp>(use.getOwner());
      if (!user || !user.getAnnotateForUsers()) {
        use.set(annotated);
        continue;
      }
      OpBuilder before(user);
      use.set(shard::ShardOp::create(before, user.getLoc(), annotated, user.getSharding(),
                                     /*annotate_for_users=*/false));
    }
  }
}

/// Replaces the shard ops partitioning left with cotan collectives and
/// index arithmetic; fails on any it cannot express.
LogicalResult lowerShardOps(func::FuncOp function, ArrayRef<int64_t> mesh) {
  SmallVector<Operation *> shardOps;
  function.walk([&](Operation *op) {
    if (isa<shard::ShardDialect>(op->getDialect()))
      shardOps.push_back(op);
  });
  for (Operation *op : shardOps) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    auto everyAxis = [&](ArrayRef<int16_t> axes) {
      return axes.empty() ? llvm::to_vector(llvm::seq<int64_t>(0, mesh.size())) : widen(axes);
    };
    Value replacement;
    SmallVector<Value> replacements;
    if (auto allReduce = dyn_cast<shard::AllReduceOp>(op)) {
      std::optional<CollectiveReduction> kind;
      switch (allReduce.getReduction()) {
      case shard::ReductionKind::Sum: kind = CollectiveReduction::Sum; break;
      case shard::ReductionKind::Max: kind = CollectiveReduction::Max; break;
      case shard::ReductionKind::Min: kind = CollectiveReduction::Min; break;
      default: break;
      }
      if (!kind)
        return op->emitError("cotan-partition: unsupported all-reduce kind");
      replacement = allReduce.getGridAxes().empty()
                        ? allReduce.getInput()
                        : AllReduceOp::create(b, loc, *kind, allReduce.getInput(), mesh,
                                              widen(allReduce.getGridAxes()))
                              .getResult();
    } else if (auto gather = dyn_cast<shard::AllGatherOp>(op)) {
      replacement = AllGatherOp::create(b, loc, gather.getInput(),
                                        gather.getGatherAxis().getSExtValue(), mesh,
                                        widen(gather.getGridAxes()));
    } else if (auto slice = dyn_cast<shard::AllSliceOp>(op)) {
      int64_t dim = slice.getSliceAxis().getSExtValue();
      SmallVector<shard::GridAxesAttr> axes(dim + 1, DenseI16ArrayAttr::get(op->getContext(), {}));
      axes[dim] = DenseI16ArrayAttr::get(op->getContext(), slice.getGridAxes());
      replacement = localBlock(b, loc, slice.getInput(), mesh, axes);
    } else if (auto scatter = dyn_cast<shard::ReduceScatterOp>(op)) {
      if (scatter.getReduction() != shard::ReductionKind::Sum)
        return op->emitError("cotan-partition: only sums can be reduce-scattered");
      replacement = ReduceScatterOp::create(b, loc, scatter.getInput(),
                                            scatter.getScatterAxis().getSExtValue(), mesh,
                                            widen(scatter.getGridAxes()));
    } else if (auto exchange = dyn_cast<shard::AllToAllOp>(op)) {
      replacement = AllToAllOp::create(b, loc, exchange.getInput(),
                                       exchange.getSplitAxis().getSExtValue(),
                                       exchange.getConcatAxis().getSExtValue(), mesh,
                                       widen(exchange.getGridAxes()));
    } else if (auto index = dyn_cast<shard::ProcessMultiIndexOp>(op)) {
      for (int64_t axis : everyAxis(index.getAxes()))
        replacements.push_back(position(b, loc, mesh, {axis}));
    } else if (auto linear = dyn_cast<shard::ProcessLinearIndexOp>(op)) {
      replacement = position(b, loc, mesh, everyAxis({}));
    } else if (auto shape = dyn_cast<shard::GridShapeOp>(op)) {
      for (int64_t axis : everyAxis(shape.getAxes()))
        replacements.push_back(arith::ConstantIndexOp::create(b, loc, mesh[axis]));
    } else {
      return op->emitError("cotan-partition: partitioning produced '")
             << op->getName() << "', which cotan cannot run yet";
    }
    if (replacement)
      replacements.push_back(replacement);
    if (replacements.size() != op->getNumResults())
      return op->emitError("cotan-partition: cannot replace this op's results");
    op->replaceAllUsesWith(replacements);
    op->erase();
  }
  return success();
}

struct Partition : mlir::cotan::impl::PartitionBase<Partition> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> sharded;
    for (auto function : module.getOps<func::FuncOp>())
      if (function->hasAttr(kMesh) && !function.isExternal())
        sharded.push_back(function);
    if (sharded.empty())
      return;
    for (func::FuncOp function : sharded)
      if (failed(partition(module, function)))
        return signalPassFailure();
    // The collectives and slices created here are cotan ops and tensor
    // code: lower them, and inline the per-process copies.
    OpPassManager pm(ModuleOp::getOperationName());
    pm.addPass(createConvertCotanToLinalg());
    pm.addPass(createInlinerPass());
    pm.addPass(createSymbolDCEPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    if (failed(runPipeline(pm, module)))
      return signalPassFailure();
    // Nothing refers to the meshes' grids any more.
    for (auto grid : llvm::make_early_inc_range(module.getOps<shard::GridOp>()))
      grid.erase();
  }

  LogicalResult partition(ModuleOp module, func::FuncOp function) {
    auto meshAttr = dyn_cast<DenseI64ArrayAttr>(function->getAttr(kMesh));
    if (!meshAttr || meshAttr.empty() ||
        llvm::any_of(meshAttr.asArrayRef(), [](int64_t n) { return n < 1; }))
      return function.emitError("`") << kMesh << "` must be a non-empty array of positive sizes";
    ArrayRef<int64_t> mesh = meshAttr.asArrayRef();
    auto error = [&] { return function.emitError("cotan-partition: "); };
    SmallVector<SplitAxes> argAxes, resultAxes;
    for (auto [i, type] : llvm::enumerate(function.getArgumentTypes())) {
      auto axes = splitAxes(function.getArgAttr(i, kSplitAxes), cast<RankedTensorType>(type),
                            mesh.size(), error);
      if (failed(axes))
        return failure();
      argAxes.push_back(*axes);
    }
    for (auto [i, type] : llvm::enumerate(function.getResultTypes())) {
      auto axes = splitAxes(function.getResultAttr(i, kSplitAxes),
                            cast<RankedTensorType>(type), mesh.size(), error);
      if (failed(axes))
        return failure();
      resultAxes.push_back(*axes);
    }
    std::string grid = gridFor(module, mesh);

    // The per-process copy: annotated, then partitioned.
    auto local = cast<func::FuncOp>(function->clone());
    local.setName((function.getName() + "_local").str());
    local.setPrivate();
    for (NamedAttribute attribute : function->getDiscardableAttrs())
      local->removeAttr(attribute.getName());
    DictionaryAttr none = DictionaryAttr::get(function.getContext());
    local.setAllArgAttrs(SmallVector<DictionaryAttr>(local.getNumArguments(), none));
    local.setAllResultAttrs(SmallVector<DictionaryAttr>(local.getNumResults(), none));
    module.insert(std::next(Block::iterator(function)), local);
    unitReshapesAsGenerics(local);
    dropConstantUnitIndices(local);
    SmallVector<DenseElementsAttr> hoisted = hoistNonSplatConstants(local);
    for (DenseElementsAttr value : hoisted)
      argAxes.push_back(replicatedAxes(value.getType()));
    // One tensor.empty or tensor constant per use: each then takes the
    // sharding of the one value it becomes.
    local.walk([](Operation *op) {
      bool tensorConstant = op->hasTrait<OpTrait::ConstantLike>() && op->getNumResults() == 1 &&
                            isa<RankedTensorType>(op->getResult(0).getType());
      if (!isa<tensor::EmptyOp>(op) && !tensorConstant)
        return;
      for (OpOperand &use : llvm::make_early_inc_range(llvm::drop_begin(op->getUses()))) {
        OpBuilder copier(op);
        use.set(copier.clone(*op)->getResult(0));
      }
    });
    OpBuilder b = OpBuilder::atBlockBegin(&local.front());
    for (auto [arg, axes] : llvm::zip(local.getArguments(), argAxes)) {
      // Replicated arguments are annotated after propagation (see
      // annotateReplicatedArguments): propagation (22.1) lets an op's last
      // annotated operand decide whether it is sharded at all, so a
      // replicated weight after a batch-split input would leave a layer
      // unsplit.
      if (isReplicated(axes))
        continue;
      Value annotated = annotate(b, arg.getLoc(), arg, grid, axes, /*forUsers=*/true);
      arg.replaceAllUsesExcept(annotated, annotated.getDefiningOp());
    }
    // Results are annotated right where they are defined: propagation
    // reuses such an annotation for all of the value's other uses too
    // (a new optimizer moment is returned and also updates a parameter).
    local.walk([&](func::ReturnOp ret) {
      for (auto [operand, axes] : llvm::zip(ret->getOpOperands(), resultAxes)) {
        b.setInsertionPointAfterValue(operand.get());
        operand.set(annotate(b, ret.getLoc(), operand.get(), grid, axes, /*forUsers=*/false));
      }
    });
    // The upstream passes do not always say why they fail.
    OpPassManager propagation(func::FuncOp::getOperationName());
    // Forward only: the default backward-then-forward order lets a value's
    // users annotate it differently before its definition is visited, which
    // trips an assertion in propagation (a gradient used by several
    // contractions, say). Results still get their out_shardings by
    // resharding at the end.
    propagation.addPass(shard::createShardingPropagation({shard::TraversalOrder::Forward}));
    if (failed(runPipeline(propagation, local)))
      return function.emitError("cotan-partition: MLIR's sharding-propagation found no "
                                "sharding for every value of this function");
    annotateReplicatedArguments(local, grid, argAxes);
    completeAnnotations(local, grid);
    OpPassManager partitioning(func::FuncOp::getOperationName());
    partitioning.addPass(shard::createPartition());
    if (failed(runPipeline(partitioning, local)))
      return function.emitError("cotan-partition: MLIR's shard-partition cannot partition "
                                "this function (an op it has no rule for, or a sharding it "
                                "cannot reach)");
    if (failed(lowerShardOps(local, mesh)))
      return failure();

    // The function itself: blocks in, the copy, results gathered.
    Block &body = function.front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    Operation *lastOld = ret->getPrevNode();
    b.setInsertionPoint(ret);
    SmallVector<Value> blocks;
    for (auto [arg, axes] : llvm::zip(function.getArguments(), argAxes))
      blocks.push_back(localBlock(b, arg.getLoc(), arg, mesh, axes));
    for (DenseElementsAttr value : hoisted)
      blocks.push_back(arith::ConstantOp::create(b, function.getLoc(), value));
    auto call = func::CallOp::create(b, function.getLoc(), local, blocks);
    SmallVector<Value> results;
    for (auto [value, axes] : llvm::zip(call.getResults(), resultAxes))
      results.push_back(globalValue(b, function.getLoc(), value, mesh, axes));
    ret->setOperands(results);
    // The old body (now the copy's) goes, last op first.
    while (lastOld) {
      Operation *previous = lastOld->getPrevNode();
      lastOld->erase();
      lastOld = previous;
    }
    function->removeAttr(kMesh);
    for (unsigned i = 0; i < function.getNumArguments(); ++i)
      function.removeArgAttr(i, kSplitAxes);
    for (unsigned i = 0; i < function.getNumResults(); ++i)
      function.removeResultAttr(i, StringAttr::get(function.getContext(), kSplitAxes));
    return success();
  }
};

} // namespace
