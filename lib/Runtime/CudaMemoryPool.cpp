//===- CudaMemoryPool.cpp - pooled device memory for cotan's GPU code -----===//
//
// MLIR's CUDA runtime wrappers allocate with cuMemAlloc and free with
// cuMemFree: each call of a compiled function pays a driver allocation per
// temporary and result, and every free synchronizes the device. These two
// wrappers replace them (cotan loads this library first, globally, so the
// JIT-compiled host code binds to them) with the stream-ordered allocator:
// memory comes from the device's default pool, which keeps what is freed
// for the next allocation instead of returning it to the driver.
//
// The driver is opened at run time: building needs no CUDA toolkit.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdio>
#include <dlfcn.h>

namespace {

// The few CUDA driver API types and values used here (cuda.h).
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUstream = struct CUstream_st *;
using CUmemoryPool = struct CUmemPoolHandle_st *;
constexpr int kMemPoolAttrReleaseThreshold = 4; // CU_MEMPOOL_ATTR_RELEASE_THRESHOLD

struct Driver {
  CUresult (*init)(unsigned);
  CUresult (*deviceGet)(CUdevice *, int);
  CUresult (*primaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*ctxPush)(CUcontext);
  CUresult (*ctxPop)(CUcontext *);
  CUresult (*defaultMemPool)(CUmemoryPool *, CUdevice);
  CUresult (*memPoolSetAttribute)(CUmemoryPool, int, void *);
  CUresult (*allocAsync)(CUdeviceptr *, size_t, CUstream);
  CUresult (*freeAsync)(CUdeviceptr, CUstream);
  CUcontext context = nullptr;
  bool ready = false;
};

void report(const char *call, CUresult status) {
  if (status != 0)
    std::fprintf(stderr, "cotan: '%s' failed with CUDA error %d\n", call, status);
}

template <typename Fn> bool bind(void *library, const char *name, Fn &fn) {
  fn = reinterpret_cast<Fn>(dlsym(library, name));
  return fn != nullptr;
}

/// The driver, GPU 0's primary context (the one MLIR's wrappers use) and
/// its default pool set to keep freed memory; loaded once.
Driver &driver() {
  static Driver d = [] {
    Driver d{};
    void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
    if (!library || !bind(library, "cuInit", d.init) ||
        !bind(library, "cuDeviceGet", d.deviceGet) ||
        !bind(library, "cuDevicePrimaryCtxRetain", d.primaryCtxRetain) ||
        !bind(library, "cuCtxPushCurrent_v2", d.ctxPush) ||
        !bind(library, "cuCtxPopCurrent_v2", d.ctxPop) ||
        !bind(library, "cuDeviceGetDefaultMemPool", d.defaultMemPool) ||
        !bind(library, "cuMemPoolSetAttribute", d.memPoolSetAttribute) ||
        !bind(library, "cuMemAllocAsync", d.allocAsync) ||
        !bind(library, "cuMemFreeAsync", d.freeAsync)) {
      std::fprintf(stderr, "cotan: cannot load the CUDA driver's pooled allocator\n");
      return d;
    }
    CUdevice device = 0;
    CUmemoryPool pool = nullptr;
    uint64_t keepEverything = UINT64_MAX;
    if (d.init(0) != 0 || d.deviceGet(&device, 0) != 0 ||
        d.primaryCtxRetain(&d.context, device) != 0 || d.defaultMemPool(&pool, device) != 0) {
      std::fprintf(stderr, "cotan: cannot open GPU 0's memory pool\n");
      return d;
    }
    report("cuMemPoolSetAttribute", d.memPoolSetAttribute(pool, kMemPoolAttrReleaseThreshold,
                                                          &keepEverything));
    d.ready = true;
    return d;
  }();
  return d;
}

/// Makes the primary context current for the scope, on whatever thread.
class ScopedContext {
public:
  explicit ScopedContext(Driver &d) : d(d) { report("cuCtxPushCurrent", d.ctxPush(d.context)); }
  ~ScopedContext() {
    CUcontext popped = nullptr;
    report("cuCtxPopCurrent", d.ctxPop(&popped));
  }

private:
  Driver &d;
};

} // namespace

// Same signatures as MLIR's CudaRuntimeWrappers.cpp.
extern "C" void *mgpuMemAlloc(uint64_t sizeBytes, CUstream stream, bool isHostShared) {
  Driver &d = driver();
  if (!d.ready || sizeBytes == 0)
    return nullptr;
  if (isHostShared) { // cotan's code never asks for memory shared with the host
    std::fprintf(stderr, "cotan: host-shared GPU memory is not supported\n");
    return nullptr;
  }
  ScopedContext scoped(d);
  CUdeviceptr pointer = 0;
  report("cuMemAllocAsync", d.allocAsync(&pointer, sizeBytes, stream));
  return reinterpret_cast<void *>(pointer);
}

extern "C" void mgpuMemFree(void *pointer, CUstream stream) {
  Driver &d = driver();
  if (!d.ready || !pointer)
    return;
  ScopedContext scoped(d);
  // Back to the pool once the stream's earlier work is done.
  report("cuMemFreeAsync", d.freeAsync(reinterpret_cast<CUdeviceptr>(pointer), stream));
}
