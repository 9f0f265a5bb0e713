"""The ROS-free control loop: the driver's, estimator's, WBC's and MPC's per-tick bodies
(``*_core``), the loop that runs them as plain calls (:mod:`.control_loop`), where its plans
come from (:mod:`.plan_source`), and how it is built from the nodes' parameters
(:func:`.builder.build_loop`)."""
