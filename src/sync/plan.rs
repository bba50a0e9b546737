//! Dry runs: what a run would push, refuse, remove and provision, with nothing written to
//! the service or the store and no lock taken.

use super::batch::Batch;
use super::engine::{PROFILE_BLOCK, Syncer};
use super::mirror::{self, Mirror};
use super::record::SyncRecord;
use super::report::{Provisioning, SyncPlan};
use super::store::StateStore;
use super::target::SyncTarget;
use crate::customer::Consolidation;
use crate::customer::segment::SegmentSpec;
use crate::error::Result;

impl<T: SyncTarget, S: StateStore> Syncer<T, S> {
    /// A dry run of [`run`](Self::run): which records a run would push now (new, or changed
    /// since their last confirmed push) or refuse, computed against the store, and which
    /// fields provisioning would create or adopt, read from the service; nothing is written
    /// to the service or the store and no lock is taken.
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>, records: Vec<relance::sync::SyncRecord>) -> relance::Result<()> {
    /// let plan = syncer.plan(records).await?;
    /// println!("plan: {plan}");
    /// # Ok(()) }
    /// ```
    pub async fn plan<I>(&mut self, records: I) -> Result<SyncPlan>
    where
        I: IntoIterator<Item = SyncRecord>,
    {
        let provisioning = self.plan_provisioning().await?;
        let previous = self.store.load().await?;
        let batch = Batch::of(records, &self.fields, &previous);
        Ok(plan_of(batch, provisioning))
    }

    /// [`plan`](Self::plan) for a whole-shop run ([`run_profiles`](Self::run_profiles)):
    /// also lists the contacts the [`mirror`](Self::mirror) policy would remove (none when it
    /// keeps them, or when more than its limit left: the run would refuse too).
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>, profiles: relance::customer::Consolidation<'_>) -> relance::Result<()> {
    /// let plan = syncer.plan_profiles(&profiles).await?;
    /// for email in &plan.to_remove { println!("would remove {email}"); }
    /// # Ok(()) }
    /// ```
    pub async fn plan_profiles(&mut self, profiles: &Consolidation<'_>) -> Result<SyncPlan> {
        let provisioning = self.plan_provisioning().await?;
        let previous = self.store.load().await?;
        let parts = profiles
            .runs()
            .flat_map(|run| run.chunks(PROFILE_BLOCK))
            .map(|block| Batch::of_profiles(block, None, &self.fields, &previous))
            .collect();
        let batch = Batch::merge(parts);
        let mut seen = vec![false; previous.len()];
        for &at in &batch.seen {
            if let Some(s) = seen.get_mut(at) {
                *s = true;
            }
        }
        let absent = mirror::absent(&previous, &seen);
        let within = mirror::share(absent.len(), previous.len()) <= self.mirror_limit;
        let to_remove = if self.mirror != Mirror::Keep && within {
            absent.into_iter().map(str::to_owned).collect()
        } else {
            Vec::new()
        };
        let mut plan = plan_of(batch, provisioning);
        plan.to_remove = to_remove;
        Ok(plan)
    }

    /// A dry run of [`ensure_segments`](Self::ensure_segments): the segments it would create,
    /// and those whose definition changed and that it would update in place, read from the
    /// service (with the fields provisioning would create or adopt); nothing is written.
    ///
    /// ```no_run
    /// # async fn f(mut syncer: relance::sync::Syncer<relance::sync::SendethicTarget, relance::sync::store::MemoryStore>, policy: relance::customer::ConsolidationPolicy) -> relance::Result<()> {
    /// let plan = syncer.plan_segments(&relance::customer::segment::relance_defaults(&policy)).await?;
    /// println!("would create {:?}, update {:?}", plan.create_segments, plan.update_segments);
    /// # Ok(()) }
    /// ```
    pub async fn plan_segments(&mut self, segments: &[SegmentSpec]) -> Result<Provisioning> {
        let mut out = self.plan_provisioning().await?;
        let planned = self.target.plan_segments(segments).await?;
        out.create_segments = planned.create_segments;
        out.update_segments = planned.update_segments;
        Ok(out)
    }

    /// The fields provisioning would create or adopt (nothing once this syncer prepared
    /// them).
    async fn plan_provisioning(&mut self) -> Result<Provisioning> {
        self.check_scope()?;
        if self.prepared {
            return Ok(Provisioning::default());
        }
        self.target.plan_fields(&self.fields).await
    }
}

/// The plan of a batch.
fn plan_of(batch: Batch, provisioning: Provisioning) -> SyncPlan {
    let new = batch.changed.iter().filter(|(_, _, known)| !known).count();
    SyncPlan {
        considered: batch.considered,
        unchanged: batch.considered - batch.changed.len() - batch.refused.len(),
        rejected: batch.refused,
        to_push: batch
            .changed
            .into_iter()
            .map(|(r, _, _)| r.email().to_owned())
            .collect(),
        new,
        to_remove: Vec::new(),
        provisioning,
    }
}
