// Error metrics (docs/MODEL.md §4): MSE, relative RMSE, SQNR and the activation-weighted cosine ACos.

export interface ErrorMetrics {
  mse: number;
  rel_rmse: number;
  sqnr_db: number;
  /** cos(W·diag(a), Ŵ·diag(a)); with no statistics a = 1 and this is the plain cosine. */
  acos: number;
  /** (1 - ACos) in parts per million, as the paper reports it. */
  acos_ppm: number;
}

/** Running sums from which every metric follows; add blocks as they are decoded. */
export class ErrorAccumulator {
  n = 0;
  sw2 = 0; // Σ w²
  se2 = 0; // Σ (w - ŵ)²
  aww = 0; // Σ a² w ŵ
  aw2 = 0; // Σ a² w²
  aq2 = 0; // Σ a² ŵ²

  /** Add one weight and its reconstruction with activation importance a² (1 without statistics). */
  add(w: number, q: number, a2: number): void {
    const d = w - q;
    this.n++;
    this.sw2 += w * w;
    this.se2 += d * d;
    this.aww += a2 * w * q;
    this.aw2 += a2 * w * w;
    this.aq2 += a2 * q * q;
  }

  /** Add sums gathered elsewhere (a block loop keeps them in locals; the order of additions is the caller's). */
  addSums(n: number, sw2: number, se2: number, aww: number, aw2: number, aq2: number): void {
    this.n += n;
    this.sw2 += sw2;
    this.se2 += se2;
    this.aww += aww;
    this.aw2 += aw2;
    this.aq2 += aq2;
  }

  metrics(): ErrorMetrics {
    const mse = this.se2 / Math.max(1, this.n);
    const rms = Math.sqrt(this.sw2 / Math.max(1, this.n));
    const acos = this.aw2 > 0 && this.aq2 > 0 ? this.aww / Math.sqrt(this.aw2 * this.aq2) : this.aw2 === this.aq2 ? 1 : 0;
    return {
      mse,
      rel_rmse: rms > 0 ? Math.sqrt(mse) / rms : 0,
      sqnr_db: this.se2 > 0 ? 10 * Math.log10(this.sw2 / this.se2) : Infinity,
      acos,
      acos_ppm: (1 - acos) * 1e6,
    };
  }
}
