//! Minimising a mean negative log-likelihood over log-parameters with argmin's BFGS and
//! More-Thuente line search (the method `scipy.optimize.minimize` picks for `lifetimes`'
//! fitters: BFGS with a Wolfe line search, stopped on the gradient norm).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{
    CostFunction, Error, Executor, Gradient, IterState, KV, State, TerminationReason,
};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::BFGS;

use super::{ClvError, FitOptions, Model};

/// An objective that gives its value and gradient in one pass over the data.
pub(super) trait Objective {
    /// Number of (log-)parameters.
    const PARAMETERS: usize;

    /// Value and gradient at `theta`; the value may be non-finite outside the model's domain.
    fn evaluate(&self, theta: &[f64]) -> (f64, Vec<f64>);
}

/// `lifetimes`' objective `−Σℓ / N + penalizer · Σ pⱼ²` and its gradient in the
/// log-parameters `ln pⱼ`, from the log-likelihood `Σℓ` and its partial derivatives in `pⱼ`.
pub(super) fn penalized_mean(
    params: &[f64],
    (ll, d_ll): (f64, &[f64]),
    customers: f64,
    penalizer: f64,
) -> (f64, Vec<f64>) {
    let penalty: f64 = params.iter().map(|v| v * v).sum();
    let value = -ll / customers + penalizer * penalty;
    let gradient = params
        .iter()
        .zip(d_ll)
        .map(|(&v, dv)| v * (-dv / customers + 2.0 * penalizer * v))
        .collect();
    (value, gradient)
}

/// Where the minimiser stopped.
#[derive(Debug)]
pub(super) struct Minimum {
    /// The log-parameters.
    pub theta: Vec<f64>,
    /// The objective there.
    pub value: f64,
    /// Likelihood evaluations.
    pub evaluations: u64,
    /// BFGS's inverse Hessian after its last iteration (a warm start for a related fit).
    pub inv_hessian: Option<Matrix>,
}

/// A square matrix, by rows.
pub(super) type Matrix = Vec<Vec<f64>>;

/// Keeps BFGS's inverse Hessian after each iteration.
struct LastInvHessian(Rc<RefCell<Option<Matrix>>>);

impl Observe<IterState<Vec<f64>, Vec<f64>, (), Matrix, (), f64>> for LastInvHessian {
    fn observe_iter(
        &mut self,
        state: &IterState<Vec<f64>, Vec<f64>, (), Matrix, (), f64>,
        _kv: &KV,
    ) -> Result<(), Error> {
        *self.0.borrow_mut() = state.get_inv_hessian().cloned();
        Ok(())
    }
}

/// A point, the objective and its gradient there.
type Evaluation = (Vec<f64>, f64, Vec<f64>);

/// Aborts argmin's run (as an error) once a point meets the tolerance; recognised below.
const CONVERGED: &str = "gradient within tolerance";

/// Evaluates the objective for argmin, remembering the last evaluation (the line search asks
/// for the cost and then the gradient at the same point, and BFGS asks again for the gradient
/// where the line search stopped), and stops the run at the first point whose gradient is
/// within the tolerance.
struct Cached<'o, O> {
    objective: &'o O,
    tolerance: f64,
    last: RefCell<Option<Evaluation>>,
    evaluations: &'o Cell<u64>,
    converged: &'o RefCell<Option<(Vec<f64>, f64)>>,
}

impl<O: Objective> Cached<'_, O> {
    fn get(&self, theta: &[f64]) -> Result<(f64, Vec<f64>), Error> {
        if let Some((at, value, gradient)) = &*self.last.borrow()
            && at.as_slice() == theta
        {
            return Ok((*value, gradient.clone()));
        }
        self.evaluations.set(self.evaluations.get() + 1);
        let (value, gradient) = self.objective.evaluate(theta);
        if !value.is_finite() || gradient.iter().any(|g| !g.is_finite()) {
            return Err(Error::msg("the likelihood is not finite there"));
        }
        if max_abs(&gradient) <= self.tolerance {
            *self.converged.borrow_mut() = Some((theta.to_vec(), value));
            return Err(Error::msg(CONVERGED));
        }
        *self.last.borrow_mut() = Some((theta.to_vec(), value, gradient.clone()));
        Ok((value, gradient))
    }
}

impl<O: Objective> CostFunction for Cached<'_, O> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, theta: &Vec<f64>) -> Result<f64, Error> {
        Ok(self.get(theta)?.0)
    }
}

impl<O: Objective> Gradient for Cached<'_, O> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, theta: &Vec<f64>) -> Result<Vec<f64>, Error> {
        Ok(self.get(theta)?.1)
    }
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Minimises `objective` from `theta0` with BFGS until it evaluates a point where every
/// gradient component is within `options.tolerance` (scipy's BFGS `gtol` test, applied to
/// every point the line search evaluates: near the optimum the objective is flat to rounding,
/// and a trial point may meet the test without lowering the objective by more than that).
pub(super) fn minimize<O: Objective>(
    model: Model,
    objective: &O,
    (theta0, inv_hessian0): (Vec<f64>, Option<Matrix>),
    options: &FitOptions,
) -> Result<Minimum, ClvError> {
    let evaluations = Cell::new(0);
    let converged = RefCell::new(None);
    let last_inv_hessian = Rc::new(RefCell::new(None));
    let problem = Cached {
        objective,
        tolerance: options.tolerance,
        last: RefCell::new(None),
        evaluations: &evaluations,
        converged: &converged,
    };
    let done = || {
        converged.borrow_mut().take().map(|(theta, value)| Minimum {
            theta,
            value,
            evaluations: evaluations.get(),
            inv_hessian: last_inv_hessian.borrow_mut().take(),
        })
    };
    let not_converged = |reason: String| ClvError::NotConverged {
        model,
        evaluations: evaluations.get(),
        reason,
    };
    let (value0, gradient0) = match problem.get(&theta0) {
        Ok(first) => first,
        Err(e) => return done().ok_or_else(|| not_converged(e.to_string())),
    };
    // Without a warm start the first step goes along −g: scaling it to length ≤ 1 (as
    // scipy's first step does) keeps it from jumping to parameters where the likelihood
    // overflows.
    let inv_hessian = inv_hessian0.unwrap_or_else(|| {
        let g0 = gradient0.iter().map(|g| g * g).sum::<f64>().sqrt();
        let scale = if g0 > 1.0 { 1.0 / g0 } else { 1.0 };
        let n = theta0.len();
        (0..n)
            .map(|i| (0..n).map(|j| if i == j { scale } else { 0.0 }).collect())
            .collect()
    });
    // argmin's own stopping tests (L2 gradient norm, change of the cost) are off: `Cached`
    // applies the max-norm test.
    let solver = BFGS::new(MoreThuenteLineSearch::new())
        .with_tolerance_grad(0.0)
        .and_then(|s| s.with_tolerance_cost(0.0))
        .map_err(|e| not_converged(e.to_string()))?;
    let run = Executor::new(problem, solver)
        .configure(|state| {
            state
                .param(theta0)
                .cost(value0)
                .gradient(gradient0)
                .inv_hessian(inv_hessian)
                .max_iters(options.max_iterations)
        })
        .add_observer(
            LastInvHessian(Rc::clone(&last_inv_hessian)),
            ObserverMode::Always,
        )
        .run();
    if let Some(min) = done() {
        return Ok(min);
    }
    Err(not_converged(match run {
        Err(e) => e.to_string(),
        Ok(result) => result
            .state()
            .get_termination_reason()
            .map_or("stopped", TerminationReason::text)
            .to_owned(),
    }))
}

/// Asserts that `objective`'s gradient agrees with central differences at `theta`.
#[cfg(test)]
pub(super) fn assert_gradient_matches(objective: &impl Objective, theta: &[f64]) {
    let (_, gradient) = objective.evaluate(theta);
    for (j, g) in gradient.iter().enumerate() {
        let h = 1e-6;
        let (mut up, mut down) = (theta.to_vec(), theta.to_vec());
        up[j] += h;
        down[j] -= h;
        let fd = (objective.evaluate(&up).0 - objective.evaluate(&down).0) / (2.0 * h);
        assert!(
            (g - fd).abs() <= 1e-7 * fd.abs().max(1.0),
            "θ = {theta:?}, component {j}: {g} vs {fd}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{Minimum, Objective, minimize};
    use crate::customer::clv::{ClvError, FitOptions, Model};

    /// A shifted quadratic bowl with a known minimum.
    struct Bowl;

    impl Objective for Bowl {
        const PARAMETERS: usize = 2;

        fn evaluate(&self, t: &[f64]) -> (f64, Vec<f64>) {
            let (x, y) = (t[0] - 3.0, t[1] + 1.0);
            (x * x + 10.0 * y * y + 2.0, vec![2.0 * x, 20.0 * y])
        }
    }

    /// Decreases forever at a constant rate: no minimum.
    struct Slope;

    impl Objective for Slope {
        const PARAMETERS: usize = 1;

        fn evaluate(&self, t: &[f64]) -> (f64, Vec<f64>) {
            (-t[0], vec![-1.0])
        }
    }

    #[test]
    fn finds_the_minimum_of_a_bowl() {
        let Minimum { theta, value, .. } = minimize(
            Model::BgNbd,
            &Bowl,
            (vec![0.1, 0.1], None),
            &FitOptions::default(),
        )
        .unwrap();
        assert!((theta[0] - 3.0).abs() < 1e-7 && (theta[1] + 1.0).abs() < 1e-7);
        assert!((value - 2.0).abs() < 1e-12);
    }

    #[test]
    fn an_unbounded_objective_is_a_typed_error() {
        let options = FitOptions {
            max_iterations: 50,
            ..FitOptions::default()
        };
        let err = minimize(Model::GammaGamma, &Slope, (vec![0.0], None), &options).unwrap_err();
        assert!(
            matches!(
                err,
                ClvError::NotConverged {
                    model: Model::GammaGamma,
                    ..
                }
            ),
            "{err:?}"
        );
    }
}
