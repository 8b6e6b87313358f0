//! The repositories a snapshot needs from a registry: [`Snapshot::repositories`].

use std::collections::BTreeSet;

use super::Snapshot;
use super::environment::{self, Others, Readers};
use crate::error::Result;

impl Snapshot {
    /// The repositories the managed image slots of every environment reference, as the
    /// environments render them (kustomize `images:` applied), by normalised name
    /// ([`ImageRef::name`](crate::ImageRef::name)), sorted, each once: what to ask a registry
    /// for before planning. Unmanaged slots (`${IMAGE}`, a name Kubernetes would refuse) are
    /// left out.
    ///
    /// Errors: those of reading the environments (`invalid_config`, `invalid_yaml`,
    /// `duplicate_resource`...), as planning reports them.
    ///
    /// ```
    /// use relman::release::Snapshot;
    /// let deployment = |name: &str, image: &str| format!(
    ///     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: {image}\n"
    /// );
    /// let snapshot = Snapshot::from_files([
    ///     ("users.yaml", deployment("users", "ghcr.io/acme/users:1.0")),
    ///     ("web.yaml", deployment("web", "nginx:1.27")),
    ///     ("job.yaml", deployment("job", "${IMAGE}")),
    /// ])?;
    /// assert_eq!(snapshot.repositories()?, ["docker.io/library/nginx", "ghcr.io/acme/users"]);
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn repositories(&self) -> Result<Vec<String>> {
        let config = self.config()?;
        let readers = Readers::new(self, &config, None)?;
        let mut names = BTreeSet::new();
        for (i, env) in config.environments().iter().enumerate() {
            let mut arenas = environment::Arenas::default();
            let model = environment::model(self, &mut arenas, &config, env, &Others::new(&readers, i))?;
            for placed in &model.placed {
                names.extend(
                    placed
                        .images()
                        .filter_map(|slot| slot.image_ref())
                        .map(|r| r.name()),
                );
            }
        }
        Ok(names.into_iter().collect())
    }
}
