//===- Passes.td - cotan transformation passes -------------*- tablegen -*-===//
#ifndef COTAN_TRANSFORMS_PASSES_TD
#define COTAN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ExpandAutodiff : Pass<"cotan-expand-autodiff", "::mlir::ModuleOp"> {
  let summary = "Expand cotan.vjp and cotan.jvp requests into derivative functions";
  let description = [{
    Replaces every `cotan.vjp @f(...)` by a call to a generated adjoint
    function and every `cotan.jvp @f(...)` by a call to a generated tangent
    function, built from the derivative rules the ops supply through
    `DifferentiableOpInterface`.

    The adjoint function clones `f`'s body (the forward sweep, whose values
    are the saved residuals) and then walks the ops backwards, accumulating
    cotangents: a value used twice receives the sum of both cotangents, and
    rules undo broadcasting by summing. The tangent function interleaves
    each op with its JVP. Requests nested inside a callee are expanded
    first, and calls inside a callee are inlined before it is
    differentiated, so derivatives compose to any order:

    ```mlir
    %y, %dx = cotan.vjp @f(%x) cotangents(%ct) : (tensor<3xf32>, tensor<f32>) -> (tensor<f32>, tensor<3xf32>)
    ```
    becomes
    ```mlir
    %r:2 = call @f_vjp(%x, %ct) : (tensor<3xf32>, tensor<f32>) -> (tensor<f32>, tensor<3xf32>)
    ```

    Gradients with respect to integer or boolean inputs are zeros. Ops
    outside the cotan dialect in a differentiated function are errors.
  }];
  // Rules read dynamic sizes with tensor.dim and index arithmetic.
  let dependentDialects = ["::mlir::cotan::CotanDialect", "::mlir::func::FuncDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def Vmap : Pass<"cotan-vmap", "::mlir::ModuleOp"> {
  let summary = "Expand cotan.vmap requests into batched functions";
  let description = [{
    Replaces every `cotan.vmap @f(...) batched = [...]` by a call to a
    generated function that runs `f` on a whole batch: each op whose
    operands carry the leading batch dimension is replaced by its batching
    rule (`BatchableOpInterface`); elementwise ops broadcast their unbatched
    operands, `dot_general` gains a batch dimension, reductions and shape
    ops shift their dimensions. Ops without a rule run once per batch
    element (a loop the IR spells out). Requests are expanded innermost
    first, as in cotan-expand-autodiff, whose requests they may contain.
  }];
  // Rules read dynamic sizes with tensor.dim and index arithmetic.
  let dependentDialects = ["::mlir::cotan::CotanDialect", "::mlir::func::FuncDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def ExpandTransforms : Pass<"cotan-expand-transforms", "::mlir::ModuleOp"> {
  let summary = "Expand all cotan transformation requests (vjp, jvp, vmap)";
  let description = [{
    cotan-expand-autodiff and cotan-vmap in one sweep, so requests of
    either kind may nest inside the other (vmap of grad, grad of vmap).
  }];
  // Rules read dynamic sizes with tensor.dim and index arithmetic.
  let dependentDialects = ["::mlir::cotan::CotanDialect", "::mlir::func::FuncDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def ApproximateMath : Pass<"cotan-approximate-math"> {
  let summary = "Replace f32 transcendental functions by polynomial approximations";
  let description = [{
    Rewrites f32 `math.exp`, `expm1`, `log`, `log1p`, `log2`, `tanh`,
    `sin`, `cos`, `atan`, `atan2`, `erf` and `erfc` into arithmetic (MLIR's
    polynomial approximations, accurate to a few ULP), so loops over them
    no longer call libm once per element and LLVM can vectorize them.
    f64 keeps the libm calls.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def TileMatmul : Pass<"cotan-tile-matmul", "::mlir::func::FuncOp"> {
  let summary = "Tile and vectorize matmul- and convolution-shaped linalg.generic ops on buffers";
  let description = [{
    Rewrites each float `linalg.generic` on buffers that computes
    `C[b, m..., n] += A[..] * B[b, k..., n]` into a blocked matrix
    multiply. Rows (`m...`) and the contraction (`k...`) may span several
    loops, numbered row-major, and `A` may index a linear sum of loops: a
    convolution, `A[n, p * stride + k * dilation, c]`, is the same
    contraction ("implicit GEMM"). Any operand layouts and batch dimensions
    (as `dot_general` lowers to) work; `n` is the result's innermost,
    unit-stride dimension.

    - the result is split into `tile-m` x `tile-n` blocks, distributed over
      threads by an `scf.parallel` (unless `parallel=false`);
    - each block walks the contraction in `tile-k` slices (one slice when
      all of `B` fits in half of L2); per slice `B` is packed into panels two
      vector registers wide, contiguous and padded with zeros;
    - `A` is read in place: its address is a per-row offset (computed for
      the register tile) plus a per-step offset (tabulated once), so a
      convolution's patches are never written;
    - a register tile of `register-rows` x (2 vectors) accumulators lives in
      `scf.for` iteration arguments across the slice: per step it loads one
      row of the `B` panel and does one broadcast `vector.fma` per row;
    - when `C` was zero-filled just before, the fill is dropped and the
      first slice starts from zero instead of reading `C`;
    - an elementwise epilogue (`relu(x @ w + b)`: the next `linalg.generic`
      reading `C`, if it writes `C` in place or `C` is a local buffer
      nothing else reads) runs on the register tile when the last slice
      writes it back, and the tile goes to the epilogue's output instead
      (`fuse-epilogues=false` keeps it separate). Its other inputs must vary
      contiguously along `C`'s rows or not at all (a bias, a per-row scale).

    Tile sizes follow from the vector width (`vector-bits`, by default the
    host's widest: 512 with AVX-512, 256 with AVX, else 128) so that a `B`
    panel stays in L1 and the packed block in L2. Contractions smaller than
    32768 multiply-adds, or whose result's innermost dimension is not the
    `n` loop, keep their plain loops. The accumulation order of the
    contraction changes (slices of `tile-k`).
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", "0",
           "Vector register width in bits (0: the host's widest)">,
    Option<"parallel", "parallel", "bool", "true",
           "Distribute result blocks over threads with scf.parallel">,
    Option<"fuseEpilogues", "fuse-epilogues", "bool", "true",
           "Apply a following elementwise op on the register tile">,
    Option<"tileM", "tile-m", "int64_t", "0",
           "Rows of a result block (0: derived from the vector width)">,
    Option<"tileN", "tile-n", "int64_t", "0",
           "Columns of a result block (0: derived)">,
    Option<"tileK", "tile-k", "int64_t", "0",
           "Length of a contraction slice (0: derived)">,
    Option<"registerRows", "register-rows", "int64_t", "0",
           "Rows of the register tile (0: derived)">,
    Option<"minTasks", "min-tasks", "int64_t", "0",
           "Split the result into at least this many tasks where it can "
           "(0: one per hardware thread)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def CheckFinite : Pass<"cotan-check-finite", "::mlir::ModuleOp"> {
  let summary = "Check every float result for NaN and Inf (debug_nans)";
  let description = [{
    Follows each cotan op with a float tensor result (constants aside) by
    `cotan.check_finite`, numbered in program order, and records what each
    check is in the module attribute `cotan.finite_checks`: an array of
    dictionaries {op, loc (file:line), pass ("forward", or "backward" for
    ops a VJP rule built)}. When a check finds a NaN or an Inf the
    compiled code calls the host with its number. Run after the
    derivative expansion, so backward passes are checked too.
  }];
}

def ExpandStridedCopies : Pass<"cotan-expand-strided-copies", "::mlir::func::FuncOp"> {
  let summary = "Turn copies between non-contiguous buffers into copy loops";
  let description = [{
    MemRef-to-LLVM lowers a `memref.copy` that is not between contiguous
    buffers into a call of the runtime's generic `memrefCopy`, which walks
    the elements one by one through their strides. Bufferization emits such
    copies for every insertion into a strided slice (padding, the patch
    matrix of a convolution, concatenations). This pass rewrites each into
    a `linalg.generic` that copies element by element, so that
    `cotan-vectorize-elementwise` turns it into vector loops (or, along a
    strided innermost dimension, LLVM compiles it to plain loads and
    stores). Contiguous copies stay `memref.copy` (a `memcpy`).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def VectorizeElementwise : Pass<"cotan-vectorize-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Vectorize and parallelize elementwise linalg.generic ops on buffers";
  let description = [{
    Rewrites each `linalg.generic` on static buffers whose loops are all
    parallel and whose body is elementwise arithmetic into loops over
    vectors of the host's width: the innermost loop steps a vector at a
    time (operands that do not vary along it are broadcast), the last
    partial vector is masked, and the body's ops are cloned on vector
    types. With at least `parallel-threshold` elements the rows are split
    into chunks spread over threads by an `scf.parallel`.

    Generics that read along a transposed dimension, use `linalg.index`,
    or hold non-elementwise ops keep their scalar loops.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", "0",
           "Vector register width in bits (0: the host's widest)">,
    Option<"parallelThreshold", "parallel-threshold", "int64_t", "262144",
           "Elements from which the loop is split over threads (0: never)">,
    Option<"chunk", "chunk", "int64_t", "131072",
           "Elements per parallel task (rounded to whole vectors)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def FuseElementwise : Pass<"cotan-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg producers into consumers, where it pays";
  let description = [{
    Fuses each single-use, all-parallel `linalg.generic` producer into the
    generic that consumes it (upstream's elementwise fusion), so the
    intermediate tensor is never materialized, under a cost rule:

    - a producer runs once per iteration of the fused loop nest, so fusing
      into a consumer with more iterations (a broadcast, or a contraction
      that reads each element many times) recomputes it. That is refused
      for expensive producers (transcendental functions, divisions, long
      bodies) and for any producer of a consumer with reduction loops,
      which keeps contractions in the matmul kernel's multiply-add form;
    - everything else fuses: equal iteration counts cost nothing extra.

    Reshapes are propagated by expansion, except through contractions
    (whose single row, column and reduction loops the matmul kernel needs),
    and constant and trivially foldable generics are folded.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def WriteDonatedInputs : Pass<"cotan-write-donated-inputs", "::mlir::func::FuncOp"> {
  let summary = "Let the last elementwise op on a donated input write its result there";
  let description = [{
    A function argument marked `cotan.donated` (and, for bufferization,
    `bufferization.writable = true`) has been donated by the caller: its
    buffer may hold a result. For each such
    argument whose last use is an elementwise `linalg.generic` reading it
    at the output's indices, with an output initialized by `tensor.empty`,
    the output is initialized with the argument instead, so one-shot
    bufferization computes the result in the argument's buffer (an SGD
    update `w - lr * g` overwrites `w`). Bufferization still decides: it
    copies if an alias of the argument is read afterwards.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def BoolBuffersAsBytes : Pass<"cotan-bool-buffers-as-bytes", "::mlir::ModuleOp"> {
  let summary = "Store the i1 buffers the deallocation lowering creates as bytes";
  let description = [{
    `bufferization-lower-deallocations` builds a helper that tracks buffer
    ownership in `memref<?xi1>` buffers (when a loop allocates its next
    carry, for instance), but MemRef-to-LLVM only loads and stores whole
    bytes. This pass gives every i1 memref an i8 element type, as cotan
    already does for boolean tensors: loads truncate, stores extend.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect"];
}

def Partition : Pass<"cotan-partition", "::mlir::ModuleOp"> {
  let summary = "Split functions with sharded arguments across their process mesh";
  let description = [{
    Runs after convert-cotan-to-linalg. A public function with a
    `cotan.mesh` attribute (the shape of a row-major process mesh) and
    `cotan.split_axes` argument and result attributes (per dimension, the
    mesh axes splitting it; none means replicated) becomes a program for
    one process of the mesh:

    - a private copy of it is annotated with `shard.sharding`/`shard.shard`
      and partitioned by MLIR's `sharding-propagation` (forward, from the
      split arguments) and `shard-partition` (its arguments and results
      become blocks, and the communication it needs becomes shard
      collectives);
    - what propagation leaves short of a consistent sharding is completed
      first: an op is split the way its split operands agree on (parallel
      loops only), or runs replicated, its operands resharded to match;
      `tensor.empty`, splat constants and fills take the sharding their
      users agree on; non-splat constants, which shard-partition cannot
      rebuild, are passed into the copy as replicated arguments;
    - the function keeps its global signature: each process slices its
      blocks of the (replicated) arguments, calls the copy, and gathers the
      blocks of the results, so callers see the unpartitioned function;
    - shard collectives and process queries become cotan collectives
      (`all_reduce`, `all_gather`, `reduce_scatter`, `all_to_all`,
      `axis_index`), lowered to MPI by convert-cotan-to-linalg, which runs
      again, with the inliner, when anything was partitioned.

    Modules without such functions are left untouched.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    // shard-partition guards the init of a split reduction with scf.if.
    "::mlir::scf::SCFDialect",
    "::mlir::shard::ShardDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def OpenMPIOperationSymbols : Pass<"cotan-openmpi-operation-symbols", "::mlir::ModuleOp"> {
  let summary = "Name OpenMPI's predefined reductions by their real symbols";
  let description = [{
    MLIR's MPI-to-LLVM lowering (LLVM 22) refers to OpenMPI's predefined
    reduction operations as `@ompi_mpi_sum`, `@ompi_mpi_max`, ..., but
    libmpi defines them as `ompi_mpi_op_sum`, `ompi_mpi_op_max`, ...; the
    module would not link. This pass renames those external globals and
    their uses. Other modules are left alone.
  }];
}

def ReturnDonatedBuffers : Pass<"cotan-return-donated-buffers", "::mlir::ModuleOp"> {
  let summary = "Drop the results that bufferization placed in donated arguments";
  let description = [{
    After one-shot bufferization, a public function's result that is a
    donated (`cotan.donated`) argument's buffer needs no
    out-parameter: the caller finds it in the argument. Such results are
    removed, and the function records where each original result lives:
    `cotan.result_arguments = array<i64: ...>`, the argument's index, or -1
    for a result still returned.
  }];
}

def DistinctResults : Pass<"cotan-distinct-results", "::mlir::func::FuncOp"> {
  let summary = "Give every buffer a function returns a place of its own";
  let description = [{
    After bufferization, a function can return one buffer as several
    results: `jit(lambda x: (x + 1, x + 1))` after CSE, or two zero-size
    results folded into one allocation. Each result becomes an
    out-parameter of its own (buffer-results-to-out-params, which does not
    handle a repeated allocation), so every later occurrence of a returned
    buffer is replaced by a copy of it in a new allocation.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def ReductionsInnermost : Pass<"cotan-reductions-innermost", "::mlir::func::FuncOp"> {
  let summary = "Order each linalg.generic's loops parallel first, reductions last";
  let description = [{
    Interchanges the iteration dimensions of every `linalg.generic` so the
    parallel ones come first (in their order) and the reductions last. The
    loops then nest as one `scf.parallel` around sequential reduction
    loops, which a GPU maps to one thread per output element; a reduction
    between two parallel dimensions would split the parallel loop in two.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def GpuBlockReductions : Pass<"cotan-gpu-block-reductions", "::mlir::func::FuncOp"> {
  let summary = "Reduce with a block of threads per output on a GPU";
  let description = [{
    Rewrites a single-output reduction on buffers (a `linalg.generic` or
    `linalg.reduce` whose body folds each element into the accumulator with
    one combiner that has a neutral element: add, mul, max, min, and, or,
    xor) into `gpu.launch`es where `threads` threads reduce each output:
    they stride through its reduced elements together, then combine their
    partial results in a tree through workgroup memory, and the first
    thread folds the total into the output. When the reduced dimension is
    an input's contiguous one (a row sum: threads read consecutive
    elements) or there are too few outputs to fill the GPU (a total); other
    reductions keep one thread per output, whose neighbours read
    neighbouring elements. An output with many elements and few siblings
    is split over several blocks, whose partials a second kernel combines.
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"256",
           "Threads per block (a power of two)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect"];
}

def GpuTileContractions : Pass<"cotan-gpu-tile-contractions", "::mlir::func::FuncOp"> {
  let summary = "Compute each matrix product on a GPU in shared-memory tiles";
  let description = [{
    Rewrites every contraction on buffers with one M, one N and one K
    dimension (and at most one batch dimension), whatever its operands'
    layouts (a `linalg.matmul`, a `linalg.batch_matmul` or a contraction
    `linalg.generic` reading a transposed operand), into a `gpu.launch`:
    each block of `threads` x `threads` threads owns a tile of
    `threads * thread-tile` squared outputs, stages `k-tile`-deep slices
    of both operands through workgroup memory (each element loaded from
    global memory once per block, coalesced along the operand's contiguous
    dimension), and each thread accumulates `thread-tile` squared outputs
    in registers. Edges load zeros and skip stores, so any size works; the
    batch dimension becomes the grid's z dimension.

    With `tensor-cores`, a product of f16 or bf16 operands accumulated in
    f32 runs on tensor cores instead: `nvvm.mma.sync` (m16n8k16) in 4 warps
    per 64x64 output tile, or 8 warps per 128x128 for products of 2048x2048
    outputs or more (`tensor-core-tile` fixes either), over 32-deep slices.
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"16",
           "Threads per block along each output dimension">,
    Option<"threadTile", "thread-tile", "int64_t", /*default=*/"4",
           "Outputs per thread along each output dimension">,
    Option<"kTile", "k-tile", "int64_t", /*default=*/"16",
           "Depth of the operand slices staged in workgroup memory">,
    Option<"tensorCores", "tensor-cores", "bool", /*default=*/"true",
           "Use tensor cores (mma.sync, sm_80 and later) for products of "
           "f16 or bf16 accumulated in f32">,
    Option<"tensorCoreTile", "tensor-core-tile", "int64_t", /*default=*/"0",
           "Output tile of a block on tensor cores: 64 (4 warps), 128 (8 "
           "warps), or 0 to choose by size (128 from 2048x2048 outputs)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect", "::mlir::NVVM::NVVMDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect"];
}

def GpuTileParallelLoops : Pass<"cotan-gpu-tile-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Tile each innermost scf.parallel into blocks of threads";
  let description = [{
    Tiles the innermost dimension of every innermost `scf.parallel` by
    `block-size` (the other dimensions by 1), so that with
    `gpu-map-parallel-loops` (innermost first) neighbouring threads of a
    block handle neighbouring elements (coalesced accesses), and each
    outer dimension becomes a grid dimension. A sequential loop nest left
    outside any parallel loop (a reduction over every dimension) is put in
    a one-iteration `scf.parallel`, so it runs in a kernel (one thread)
    next to its data instead of on the host.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block along the innermost dimension">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect", "::mlir::scf::SCFDialect"];
}

def GpuDeviceMemory : Pass<"cotan-gpu-device-memory", "::mlir::func::FuncOp"> {
  let summary = "Put a GPU program's buffers in device memory";
  let description = [{
    Runs after the parallel loops became `gpu.launch` regions, when the
    host code around them is what is left of the function. Its buffers must
    live on the device, where the kernels read them: `memref.alloc` and
    `memref.dealloc` become `gpu.alloc`/`gpu.dealloc`, `memref.copy`
    becomes a device-to-device `gpu.memcpy`, and a constant
    (`memref.get_global`) is copied into a device buffer once per call.
    A scalar the host reads or writes (a loop condition, a dynamic index)
    goes through a one-element host buffer and a `gpu.memcpy`. Host calls
    (debug callbacks, foreign functions) cannot run on device data and are
    errors.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::memref::MemRefDialect"];
}

#endif // COTAN_TRANSFORMS_PASSES_TD
